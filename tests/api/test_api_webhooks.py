"""Webhook endpoints through the API (API.md ``webhooks``): the fields as written there, the secret write-only
(returned once, by the POST that made it), 422s naming the field (not http(s), a private address, an unknown
event), the delivery log newest first, and 403 for anyone without the right to manage settings."""
import re

import pytest

from tests.api_client import valid_customer
from tests.blueprints.webhooks.helpers import allow_private, receiving, run_worker, verify


@pytest.fixture
def rep_api(tenant, factory, api_for):
    factory.user(tenant, "rep1", superior_id=factory.admin_id(tenant))
    return api_for(tenant, "rep1")


def test_create_list_patch_delete(tenant, factory, admin_api):
    allow_private(factory, tenant)
    created = admin_api.post("/webhooks", json={"url": "http://127.0.0.1:8080/crm", "description": "ERP",
                                                "events": ["deal.won", "customer.created"]})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert re.fullmatch(r"[0-9a-f]{64}", body["secret"])  # made for it, shown this once
    assert body["events"] == ["customer.created", "deal.won"]  # the documented order, each once
    assert (body["url"], body["active"], body["failures"], body["description"]) == (
        "http://127.0.0.1:8080/crm", True, 0, "ERP")

    [listed] = admin_api.get("/webhooks").get_json()
    assert "secret" not in listed and listed["id"] == body["id"]
    assert {"id", "url", "events", "active", "failures"} <= set(listed)

    patched = admin_api.patch(f"/webhooks/{body['id']}", json={"events": ["follow_up.created"],
                                                                  "secret": "s" * 32, "active": False})
    assert patched.status_code == 200, patched.get_json()
    assert "secret" not in patched.get_json()
    assert (patched.get_json()["events"], patched.get_json()["active"],
            patched.get_json()["disabled_reason"]) == (["follow_up.created"], False, "manual")
    on_again = admin_api.patch(f"/webhooks/{body['id']}", json={"active": True}).get_json()
    assert (on_again["active"], on_again["disabled_reason"], on_again["failures"]) == (True, None, 0)

    assert admin_api.delete(f"/webhooks/{body['id']}").status_code == 204
    assert admin_api.get("/webhooks").get_json() == []
    assert admin_api.patch(f"/webhooks/{body['id']}", json={"events": ["deal.won"]}).status_code == 404
    assert admin_api.get(f"/webhooks/{body['id']}/deliveries").status_code == 404


def test_a_secret_sent_is_the_one_that_signs(app, tenant, factory, admin_api):
    allow_private(factory, tenant)
    with receiving() as receiver:
        created = admin_api.post("/webhooks", json={"url": receiver.url, "events": ["customer.created"],
                                                    "secret": "my-own-secret-0123456789"})
        assert created.get_json()["secret"] == "my-own-secret-0123456789"
        admin_api.post("/customers", json=valid_customer())
        run_worker(app, tenant)
    [(_status, headers, body)] = receiver.requests
    assert verify("my-own-secret-0123456789", headers, body)


def test_private_addresses_are_refused_naming_url(admin_api):
    for url in ("http://127.0.0.1/hook", "http://169.254.169.254/latest/meta-data/", "http://[::1]/hook",
                "http://10.0.0.8/hook", "http://localhost/hook"):
        response = admin_api.post("/webhooks", json={"url": url, "events": ["deal.won"]})
        assert response.status_code == 422, url
        assert list(response.get_json()["errors"]) == ["url"]
        assert "private" in response.get_json()["errors"]["url"][0]


def test_addresses_that_are_not_plain_http_are_refused_naming_url(admin_api):
    for url in ("file:///etc/passwd", "ftp://example.com/x", "gopher://127.0.0.1:6379/_x", "https://", "not a url",
                "http://user:pw@example.com/hook"):
        response = admin_api.post("/webhooks", json={"url": url, "events": ["deal.won"]})
        assert response.status_code == 422, url
        assert list(response.get_json()["errors"]) == ["url"]
    assert admin_api.get("/webhooks").get_json() == []


def test_private_addresses_once_the_company_allows_them_but_never_link_local(tenant, factory, admin_api):
    allow_private(factory, tenant)
    assert admin_api.post("/webhooks", json={"url": "http://127.0.0.1:9/hook", "events": ["deal.won"]}
                          ).status_code == 201
    assert admin_api.post("/webhooks", json={"url": "http://192.168.1.20/hook", "events": ["deal.won"]}
                          ).status_code == 201
    metadata = admin_api.post("/webhooks", json={"url": "http://169.254.169.254/", "events": ["deal.won"]})
    assert metadata.status_code == 422 and list(metadata.get_json()["errors"]) == ["url"]


def test_every_bad_field_is_named_at_once(admin_api):
    response = admin_api.post("/webhooks", json={"url": "ftp://x", "events": ["deal.won", "deal.exploded"],
                                                 "secret": "short", "description": "x" * 201})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"url", "events", "secret", "description"}
    assert "deal.exploded" in response.get_json()["errors"]["events"][0]
    missing = admin_api.post("/webhooks", json={})
    assert set(missing.get_json()["errors"]) == {"url", "events"}
    assert admin_api.get("/webhooks").get_json() == []  # nothing half-saved


def test_the_delivery_log_is_paged_newest_first(app, tenant, factory, admin_api):
    allow_private(factory, tenant)
    with receiving([500]) as receiver:
        endpoint = admin_api.post("/webhooks", json={"url": receiver.url, "events": ["customer.created"]}
                                  ).get_json()
        first = admin_api.post("/customers", json=valid_customer(name="一号公司")).get_json()["id"]
        second = admin_api.post("/customers", json=valid_customer(name="二号公司")).get_json()["id"]
        run_worker(app, tenant)  # the first fails (500); the endpoint rests before trying the second
    page = admin_api.get(f"/webhooks/{endpoint['id']}/deliveries?per_page=1").get_json()
    assert (page["total"], page["page"], page["per_page"]) == (2, 1, 1)
    [newest] = page["items"]
    assert (newest["record_type"], newest["record_id"], newest["status"], newest["attempts"]) == (
        "customer", second, "pending", 0)
    [oldest] = admin_api.get(f"/webhooks/{endpoint['id']}/deliveries?per_page=1&page=2").get_json()["items"]
    assert (oldest["record_id"], oldest["event"], oldest["status_code"], oldest["attempts"]) == (first,
                                                                                                "customer.created",
                                                                                                500, 1)
    assert oldest["next_attempt_at"] and oldest["error"] is None
    assert admin_api.get("/webhooks").get_json()[0]["failures"] == 1


def test_only_those_who_manage_settings(tenant, factory, admin_api, rep_api):
    allow_private(factory, tenant)
    endpoint = admin_api.post("/webhooks", json={"url": "http://127.0.0.1:9/x", "events": ["deal.won"]}).get_json()
    assert rep_api.get("/webhooks").status_code == 403
    assert rep_api.post("/webhooks", json={"url": "http://127.0.0.1:9/y", "events": ["deal.won"]}).status_code == 403
    assert rep_api.patch(f"/webhooks/{endpoint['id']}", json={"active": False}).status_code == 403
    assert rep_api.delete(f"/webhooks/{endpoint['id']}").status_code == 403
    assert rep_api.get(f"/webhooks/{endpoint['id']}/deliveries").status_code == 403
    assert admin_api.get("/webhooks").get_json()[0]["active"] is True


def test_the_openapi_document_has_the_webhooks_paths(client_for, tenant):
    spec = client_for(tenant).get("/api/v1/openapi.json").get_json()
    assert {"get", "post"} <= set(spec["paths"]["/api/v1/webhooks"])
    assert {"patch", "delete"} <= set(spec["paths"]["/api/v1/webhooks/{webhook_id}"])
    assert "get" in spec["paths"]["/api/v1/webhooks/{webhook_id}/deliveries"]
    assert "secret" not in spec["components"]["schemas"]["Webhook"]["properties"]
