"""An endpoint turned off is told to each active admin with an address, through the company's own mail server
when it set one (a real SMTP server on 127.0.0.1), else the platform's; nobody else is written to."""
from tests.api_client import change_setting
from tests.blueprints.webhooks.helpers import add_endpoint, allow_private, in_tenant
from tests.mail_sink import set_email, start_sink


def test_admins_are_told_through_the_companys_own_mail_server(app, tenant, factory, monkeypatch):
    from crm_saas.blueprints.webhooks.models import WebhookEndpoint
    from crm_saas.blueprints.webhooks.services.notices import tell_admins
    from crm_saas.extensions import db

    sink, stop = start_sink()
    try:
        monkeypatch.setitem(app.config, "CRM_OUTBOUND_ALLOW_PRIVATE", True)  # the company's server is on 127.0.0.1
        change_setting(factory, tenant, "smtp", lambda smtp: {**smtp, "host": "127.0.0.1", "port": sink.port,
                                                              "tls": False, "sender": "crm@company.example"})
        allow_private(factory, tenant)
        endpoint_id, _secret = add_endpoint(factory, tenant, "http://127.0.0.1:9/erp")
        set_email(factory, tenant, "admin", "admin@company.example", "en")
        factory.user(tenant, "admin2", role="admin")
        set_email(factory, tenant, "admin2", "admin2@company.example", "en")
        factory.user(tenant, "gone", role="admin", active=False)
        set_email(factory, tenant, "gone", "gone@company.example", "en")
        factory.user(tenant, "rep1")
        set_email(factory, tenant, "rep1", "rep1@company.example", "en")

        sent = in_tenant(factory, tenant, lambda: tell_admins(db.session.get(WebhookEndpoint, endpoint_id),
                                                              "http://x.example/settings/webhooks/"))
    finally:
        stop()
    assert sent == 2
    assert sorted(to for to, _message in sink.messages) == [["admin2@company.example"], ["admin@company.example"]]
    message = sink.messages[0][1]
    assert message["From"] == "crm@company.example"
    assert "http://127.0.0.1:9/erp" in message["Subject"]
    assert "http://x.example/settings/webhooks/" in message.get_content()
