"""Lead pools through the API (API.md ``pools`` and ``pool actions on customers``): the paths and fields as
written there, masked contacts, 409 naming the limit or the customer taken, 202 for a protection request."""
import pytest

from tests.api_client import valid_customer
from tests.blueprints.pools.helpers import configure_pool, state

PHONE = "13812340000"


@pytest.fixture
def team(tenant, factory, api_for, admin_api):
    """admin > boss (supervisor) > rep, rep2, each with a token."""
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    rep = factory.user(tenant, "rep", superior_id=boss)
    rep2 = factory.user(tenant, "rep2", superior_id=boss)
    return {"ids": {"admin": admin, "boss": boss, "rep": rep, "rep2": rep2}, "admin": admin_api,
            "boss": api_for(tenant, "boss"), "rep": api_for(tenant, "rep"), "rep2": api_for(tenant, "rep2")}


def new_customer(api, name, phone=PHONE):
    response = api.post("/customers", json=valid_customer(
        name=name, contacts=[{"name": "张三", "phone": phone, "email": "zs@example.com", "primary": True}]))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_pools_list_and_the_default_pools_fields(team):
    pools = team["rep"].get("/pools").get_json()
    assert [p["is_default"] for p in pools] == [True]
    default = pools[0]
    assert {"id", "name", "members", "rules", "claim_per_day", "max_owned", "reclaim_wait_days"} <= set(default)
    assert set(default["rules"]) >= {"no_follow_up_days", "no_deal_days", "no_win_days", "per_type", "exempt_closed",
                                     "exempt_open_deal", "warn_days"}
    assert team["rep"].get(f"/pools/{default['id']}").get_json() == default


def test_create_and_patch_a_pool(team):
    ids = team["ids"]
    assert team["boss"].post("/pools", json={"name": "华东公海"}).status_code == 403
    created = team["admin"].post("/pools", json={
        "name": "华东公海", "admin_id": ids["boss"], "members": [{"user_id": ids["boss"], "subtree": True}],
        "rules": {"no_follow_up_days": 30, "per_type": {"intent": {"no_follow_up_days": 60}}, "warn_days": 3},
        "claim_per_day": 5, "max_owned": 100, "reclaim_wait_days": 7})
    assert created.status_code == 201, created.get_json()
    pool = created.get_json()
    assert pool["members"] == [{"user_id": ids["boss"], "subtree": True}]
    assert pool["rules"]["per_type"] == {"intent": {"no_follow_up_days": 60}} and pool["claim_per_day"] == 5
    listed = team["rep"].get("/pools").get_json()  # the rep is in it through their boss's subtree
    assert [(p["is_default"], p["name"] if not p["is_default"] else None) for p in listed] == [
        (True, None), (False, "华东公海")]

    patched = team["boss"].patch(f"/pools/{pool['id']}", json={"rules": {"no_deal_days": 45}, "max_owned": None})
    assert patched.status_code == 200, patched.get_json()
    body = patched.get_json()
    assert (body["rules"]["no_deal_days"], body["rules"]["no_follow_up_days"], body["max_owned"]) == (45, 30, None)
    assert team["rep"].patch(f"/pools/{pool['id']}", json={"claim_per_day": 1}).status_code == 403
    bad = team["boss"].patch(f"/pools/{pool['id']}", json={"name": "", "rules": {"no_win_days": 0}})
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"name", "rules.no_win_days"}
    assert team["admin"].post("/pools", json={"name": "华东公海"}).status_code == 422  # names are unique


def test_release_needs_a_reason_and_the_customer_shows_in_the_pool_masked(team):
    customer = new_customer(team["rep"], "放弃的客户")
    refused = team["rep"].post(f"/customers/{customer}/release", json={})
    assert refused.status_code == 422 and "reason" in refused.get_json()["errors"]
    assert team["rep2"].post(f"/customers/{customer}/release", json={"reason": "x"}).status_code == 404
    released = team["rep"].post(f"/customers/{customer}/release", json={"reason": "预算取消"})
    assert released.status_code == 200
    body = released.get_json()
    assert body["owner_id"] is None and body["pool_id"] is not None
    assert body["contacts"][0]["phone"] == "138****0000" and body["contacts"][0]["email"] == "z***@example.com"
    assert team["rep"].get(f"/customers/{customer}").status_code == 404

    listed = team["admin"].get(f"/pools/{body['pool_id']}/customers").get_json()
    assert listed["total"] == 1
    item = listed["items"][0]
    assert (item["id"], item["pool_rule"], item["pool_reason"]) == (customer, "release", "预算取消")
    assert item["contacts"][0]["phone"] == "138****0000"  # masked even for the admin
    assert team["admin"].get(f"/pools/{body['pool_id']}/customers", query_string={"q": PHONE}).get_json()[
        "total"] == 0
    assert team["admin"].get(f"/pools/{body['pool_id']}/customers", query_string={"type": "intent"}).get_json()[
        "total"] == 0
    assert team["admin"].get(f"/pools/{body['pool_id']}/customers", query_string={"q": "放弃"}).get_json()[
        "total"] == 1


def test_claim_answers_what_was_claimed_or_409_naming_the_limit_or_the_taken(tenant, factory, team):
    ids = team["ids"]
    customers = [new_customer(team["admin"], f"公海客户{i}", phone=f"1381234000{i}") for i in range(3)]
    for customer in customers:
        team["admin"].post(f"/customers/{customer}/release", json={"reason": "整理"})
    pool_id = configure_pool(factory, tenant, claim_per_day=2)
    ok = team["rep"].post(f"/pools/{pool_id}/claim", json={"customer_ids": customers})
    assert ok.status_code == 200, ok.get_json()
    body = ok.get_json()
    assert body["claimed"] == customers[:2] and body["limit"] == "claim_per_day"
    assert body["not_claimed"] == [{"id": customers[2], "reason": "limit"}]
    assert team["rep"].get(f"/customers/{customers[0]}").get_json()["contacts"][0]["phone"] == "13812340000"

    limited = team["rep"].post(f"/pools/{pool_id}/claim", json={"customer_ids": customers[2:]})
    assert limited.status_code == 409 and limited.get_json()["limit"] == "claim_per_day"
    assert "customer_ids" in limited.get_json()["errors"]
    taken = team["rep2"].post(f"/pools/{pool_id}/claim", json={"customer_ids": customers[:1]})
    assert taken.status_code == 409
    assert (taken.get_json()["limit"], taken.get_json()["taken"]) == (None, customers[:1])
    assert team["rep2"].post(f"/pools/{pool_id}/claim", json={"customer_ids": []}).status_code == 422
    assert state(factory, tenant, customers[2])["owner_id"] is None and ids


def test_assign_is_for_supervisors_to_people_below_them(tenant, factory, team):
    ids = team["ids"]
    customer = new_customer(team["admin"], "待分配客户")
    pool_id = team["admin"].post(f"/customers/{customer}/release", json={"reason": "x"}).get_json()["pool_id"]
    assert team["rep"].post(f"/pools/{pool_id}/assign", json={"customer_ids": [customer], "to": ids["rep2"]}
                            ).status_code == 403
    wrong = team["boss"].post(f"/pools/{pool_id}/assign", json={"customer_ids": [customer], "to": ids["admin"]})
    assert wrong.status_code == 422 and "to" in wrong.get_json()["errors"]
    done = team["boss"].post(f"/pools/{pool_id}/assign", json={"customer_ids": [customer], "to": ids["rep2"]})
    assert done.status_code == 200 and done.get_json() == {"assigned": [customer], "to": ids["rep2"]}
    again = team["boss"].post(f"/pools/{pool_id}/assign", json={"customer_ids": [customer], "to": ids["rep"]})
    assert again.status_code == 409 and again.get_json()["taken"] == [customer]
    changes = team["rep2"].get(f"/customers/{customer}/changes").get_json()["items"]
    assert [c["action"] for c in changes[:2]] == ["assigned", "pooled"]


def test_a_protection_request_waits_with_202(tenant, factory, team):
    configure_pool(factory, tenant, rules={"no_follow_up_days": 30, "max_extensions": 1})
    customer = new_customer(team["rep"], "想延期的客户")
    assert team["boss"].post(f"/customers/{customer}/protection-requests",
                             json={"days": 10, "reason": "x"}).status_code == 403  # the owner asks
    bad = team["rep"].post(f"/customers/{customer}/protection-requests", json={"days": 0})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"days", "reason"}
    asked = team["rep"].post(f"/customers/{customer}/protection-requests", json={"days": 10, "reason": "招标中"})
    assert asked.status_code == 202
    assert {k: asked.get_json()[k] for k in ("customer_id", "days", "reason", "status")} == {
        "customer_id": customer, "days": 10, "reason": "招标中", "status": "pending"}
    again = team["rep"].post(f"/customers/{customer}/protection-requests", json={"days": 10, "reason": "再要"})
    assert again.status_code == 422


def test_a_pool_one_is_not_in_is_404(tenant, factory, team):
    ids = team["ids"]
    outsider_pool = team["admin"].post("/pools", json={"name": "别人的池", "members": [{"user_id": ids["admin"]}]})
    pool_id = outsider_pool.get_json()["id"]
    for call in (lambda: team["rep"].get(f"/pools/{pool_id}"), lambda: team["rep"].get(f"/pools/{pool_id}/customers"),
                 lambda: team["rep"].post(f"/pools/{pool_id}/claim", json={"customer_ids": [1]})):
        assert call().status_code == 404


def test_the_openapi_document_has_the_pool_paths(client_for, tenant):
    paths = client_for(tenant).get("/api/v1/openapi.json").get_json()["paths"]
    expected = {
        "/api/v1/pools": {"get", "post"}, "/api/v1/pools/{pool_id}": {"get", "patch"},
        "/api/v1/pools/{pool_id}/customers": {"get"}, "/api/v1/pools/{pool_id}/claim": {"post"},
        "/api/v1/pools/{pool_id}/assign": {"post"}, "/api/v1/customers/{customer_id}/release": {"post"},
        "/api/v1/customers/{customer_id}/protection-requests": {"post"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    assert "pool_id" in client_for(tenant).get("/api/v1/openapi.json").get_json()["components"]["schemas"][
        "Customer"]["properties"]
