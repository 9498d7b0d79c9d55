"""Issue 11.5: connections a company configures never reach our own network, and say nothing about it."""
import pytest

from crm_saas.core import outbound
from tests.blueprints.activities.test_reminders import free_port, run_test_job


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "10.0.0.5", "172.16.3.4", "192.168.1.1", "169.254.169.254",
                                  "100.64.0.1", "0.0.0.0", "224.0.0.1", "192.0.2.10", "::1", "fe80::1",
                                  "::ffff:127.0.0.1", "fd00:ec2::254"])
def test_internal_addresses_are_refused(app, host):
    with app.app_context(), pytest.raises(outbound.RefusedDestination):
        outbound.checked_addresses(host, 25)


@pytest.mark.parametrize("host", ["8.8.8.8", "2001:4860:4860::8888"])
def test_public_addresses_pass(app, host):
    with app.app_context():
        assert outbound.checked_addresses(host, 25)


def test_the_platform_may_allow_private_addresses(app, monkeypatch):
    monkeypatch.setitem(app.config, "CRM_OUTBOUND_ALLOW_PRIVATE", True)
    with app.app_context():
        assert outbound.checked_addresses("127.0.0.1", 25)


def smtp_test(app, admin_client, factory, tenant, monkeypatch, host, port):
    from sqlalchemy import select

    from crm_saas.core.users import User
    from crm_saas.extensions import db

    monkeypatch.setitem(app.config, "CRM_EXPORT_QUEUE", f"{app.config['CRM_EXPORT_QUEUE']}-outbound-{port}")

    def give_email():
        db.session.scalar(select(User).where(User.username == "admin")).email = "boss@example.com"
        db.session.commit()

    factory._run(tenant, give_email)
    form = {"host": host, "port": port, "username": "", "password": "x", "sender": "crm@example.com",
            "action": "test"}
    page = admin_client.post("/settings/smtp", data=form, headers={"HX-Request": "true"})
    assert page.status_code == 200 and "Sending a test email" in page.text  # the request itself connects nowhere
    return run_test_job(app, page.text, admin_client)


@pytest.mark.parametrize("port", [1, 55432])
def test_the_smtp_test_to_loopback_is_refused_without_a_word_about_the_network(app, admin_client, factory, tenant,
                                                                               monkeypatch, port):
    answer = smtp_test(app, admin_client, factory, tenant, monkeypatch, "127.0.0.1", port)
    assert "private or internal network" in answer
    for detail in ("refused", "timed out", "Errno", "127.0.0.1", f":{port}"):
        assert detail not in answer, detail


def test_an_allowed_server_that_does_not_answer_is_unreachable_by_kind(app, admin_client, factory, tenant,
                                                                       monkeypatch):
    monkeypatch.setitem(app.config, "CRM_OUTBOUND_ALLOW_PRIVATE", True)
    answer = smtp_test(app, admin_client, factory, tenant, monkeypatch, "127.0.0.1", free_port())
    assert "could not be reached" in answer and "Errno" not in answer and "refused" not in answer
