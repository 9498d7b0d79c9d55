"""The webhooks pages under settings: add an endpoint and see its secret once, edit, new secret, test event and
the delivery log, retry a delivery given up, the private-address switch (admins only), 403 without the right."""
import re

from tests.api_client import change_setting
from tests.blueprints.webhooks.helpers import add_endpoint, allow_private, in_tenant, receiving, run_worker
from tests.conftest import STAFF_PASSWORD, login

SECRET = re.compile(r'id="webhook-secret" value="([0-9a-f]{64})"')


def test_add_an_endpoint_see_its_secret_once_edit_and_delete(tenant, factory, admin_client):
    allow_private(factory, tenant)
    assert 'href="/settings/webhooks/"' in admin_client.get("/settings/").get_data(as_text=True)
    form = admin_client.get("/settings/webhooks/new").get_data(as_text=True)
    assert 'value="deal.won"' in form and "Deal won" in form

    refused = admin_client.post("/settings/webhooks/new", data={"url": "file:///etc/passwd", "events": ["deal.won"]})
    assert refused.status_code == 422
    assert "Only http:// and https:// addresses can receive webhooks." in refused.get_data(as_text=True)

    added = admin_client.post("/settings/webhooks/new", data={"url": "http://127.0.0.1:9/erp", "description": "ERP",
                                                              "events": ["deal.won", "customer.created"]})
    assert added.status_code == 200
    secret = SECRET.search(added.get_data(as_text=True)).group(1)
    listing = admin_client.get("/settings/webhooks/").get_data(as_text=True)
    assert "http://127.0.0.1:9/erp" in listing and "Customer created, Deal won" in listing
    assert secret not in listing
    endpoint_id = int(re.search(r'data-webhook-id="(\d+)"', listing).group(1))
    assert secret not in admin_client.get(f"/settings/webhooks/{endpoint_id}/edit").get_data(as_text=True)

    edited = admin_client.post(f"/settings/webhooks/{endpoint_id}/edit",
                               data={"url": "http://127.0.0.1:9/erp2", "events": ["follow_up.created"]})
    assert edited.status_code == 302
    listing = admin_client.get("/settings/webhooks/").get_data(as_text=True)
    assert "http://127.0.0.1:9/erp2" in listing and "Follow-up recorded" in listing and "Deal won" not in listing

    rotated = admin_client.post(f"/settings/webhooks/{endpoint_id}/secret").get_data(as_text=True)
    assert SECRET.search(rotated).group(1) != secret

    assert admin_client.post(f"/settings/webhooks/{endpoint_id}/delete").status_code == 302
    assert "No endpoints yet." in admin_client.get("/settings/webhooks/").get_data(as_text=True)
    assert admin_client.get(f"/settings/webhooks/{endpoint_id}").status_code == 404


def _give_up(factory, tenant, endpoint_id):
    """Set the scene: the endpoint's deliveries were tried as often as allowed, and given up."""
    from sqlalchemy import update

    from crm_saas.blueprints.webhooks.models import WebhookDelivery
    from crm_saas.blueprints.webhooks.services import MAX_ATTEMPTS
    from crm_saas.extensions import db

    def run():
        db.session.execute(update(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
                           .values(status="failed", attempts=MAX_ATTEMPTS))
        db.session.commit()

    in_tenant(factory, tenant, run)


def test_a_test_event_its_log_and_retrying_a_delivery_given_up(app, tenant, factory, admin_client):
    allow_private(factory, tenant)
    with receiving([503]) as receiver:
        endpoint_id, _secret = add_endpoint(factory, tenant, receiver.url, ["deal.won"])
        sent = admin_client.post(f"/settings/webhooks/{endpoint_id}/ping")
        assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/settings/webhooks/{endpoint_id}")
        run_worker(app, tenant)
        log = admin_client.get(f"/settings/webhooks/{endpoint_id}").get_data(as_text=True)
        assert "Test event" in log and "HTTP 503" in log and 'data-status="pending"' in log
        assert "Retry now" not in log

        _give_up(factory, tenant, endpoint_id)
        log = admin_client.get(f"/settings/webhooks/{endpoint_id}").get_data(as_text=True)
        delivery_id = re.search(r'data-delivery-id="(\d+)" data-status="failed"', log).group(1)
        assert "Given up" in log and "Retry now" in log
        assert admin_client.post(f"/settings/webhooks/{endpoint_id}/deliveries/{delivery_id}/retry"
                                 ).status_code == 302
        run_worker(app, tenant)
    assert [(status, headers["X-CRM-Event"]) for status, headers, _b in receiver.requests] == [
        (503, "ping"), (200, "ping")]
    log = admin_client.get(f"/settings/webhooks/{endpoint_id}").get_data(as_text=True)
    assert 'data-status="delivered"' in log and "HTTP 200" in log
    listing = admin_client.get("/settings/webhooks/").get_data(as_text=True)
    assert "Delivered" in listing


def test_the_private_address_switch_is_for_admins(tenant, factory, admin_client, client_for):
    refused = admin_client.post("/settings/webhooks/new", data={"url": "http://127.0.0.1:9/x", "events": ["deal.won"]})
    assert refused.status_code == 422 and "private or local network" in refused.get_data(as_text=True)
    assert admin_client.post("/settings/webhooks/private", data={"allow_private": "y"}).status_code == 302
    assert admin_client.post("/settings/webhooks/new", data={"url": "http://127.0.0.1:9/x", "events": ["deal.won"]}
                             ).status_code == 200

    factory.user(tenant, "boss", role="supervisor", superior_id=factory.admin_id(tenant))
    change_setting(factory, tenant, "role_permissions",
                   lambda matrix: {**matrix, "supervisor": [*matrix["supervisor"], "manage_settings"]})
    boss = client_for(tenant)
    assert login(boss, "boss", STAFF_PASSWORD).status_code == 302
    page = boss.get("/settings/webhooks/")
    assert page.status_code == 200 and 'id="webhook-private"' not in page.get_data(as_text=True)
    assert boss.post("/settings/webhooks/private", data={}).status_code == 403
    assert 'id="webhook-private"' in admin_client.get("/settings/webhooks/").get_data(as_text=True)


def test_people_without_the_right_get_403(tenant, factory, client_for):
    allow_private(factory, tenant)
    endpoint_id, _secret = add_endpoint(factory, tenant, "http://127.0.0.1:9/x", ["deal.won"])
    factory.user(tenant, "rep1", superior_id=factory.admin_id(tenant))
    rep = client_for(tenant)
    assert login(rep, "rep1", STAFF_PASSWORD).status_code == 302
    assert rep.get("/settings/webhooks/").status_code == 403
    assert rep.post("/settings/webhooks/new", data={"url": "http://127.0.0.1:9/y", "events": ["deal.won"]}
                    ).status_code == 403
    assert rep.get(f"/settings/webhooks/{endpoint_id}").status_code == 403
    assert rep.post(f"/settings/webhooks/{endpoint_id}/delete").status_code == 403
