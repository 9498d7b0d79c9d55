"""GET/POST /customers/{id}/shares, DELETE /customers/{id}/shares/{share_id} (API.md ``shares``); ``shared``."""
from datetime import date, timedelta

import pytest


@pytest.fixture
def company(tenant, factory):
    """admin > boss > rep (owns 星河); admin > peer > mate; mate sees nothing of boss's branch."""
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    peer = factory.user(tenant, "peer", role="supervisor", superior_id=admin)
    rep = factory.user(tenant, "rep", superior_id=boss)
    mate = factory.user(tenant, "mate", superior_id=peer)
    return {"admin": admin, "boss": boss, "peer": peer, "rep": rep, "mate": mate,
            "customer": factory.customer(tenant, rep, name="星河科技", phone="13700001234")}


def test_share_list_and_remove(tenant, api_for, company):
    cid, rep = company["customer"], api_for(tenant, "rep")
    until = (date.today() + timedelta(days=30)).isoformat()
    created = rep.post(f"/customers/{cid}/shares", json={"user_id": company["mate"], "access": "edit", "until": until})
    assert created.status_code == 201
    share = created.get_json()
    assert {k: share[k] for k in ("customer_id", "user_id", "access", "until", "active")} == {
        "customer_id": cid, "user_id": company["mate"], "access": "edit", "until": until, "active": True}
    again = rep.post(f"/customers/{cid}/shares", json={"user_id": company["mate"], "access": "read"}).get_json()
    assert again["id"] == share["id"] and (again["access"], again["until"]) == ("read", None)  # replaced
    assert [s["id"] for s in api_for(tenant, "boss").get(f"/customers/{cid}/shares").get_json()["items"]] == \
        [share["id"]]
    mate = api_for(tenant, "mate")
    assert mate.get(f"/customers/{cid}").get_json()["shared"] == "read"
    assert mate.get(f"/customers/{cid}/shares").status_code == 403  # theirs to read, not to pass on
    assert rep.delete(f"/customers/{cid}/shares/{share['id']}").status_code == 204
    assert mate.get(f"/customers/{cid}").status_code == 404
    assert rep.delete(f"/customers/{cid}/shares/{share['id']}").status_code == 404


def test_refusals_name_their_field(tenant, api_for, company):
    cid, rep = company["customer"], api_for(tenant, "rep")
    past = (date.today() - timedelta(days=3)).isoformat()
    bad = rep.post(f"/customers/{cid}/shares", json={"user_id": 10 ** 9, "access": "own", "until": past})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"user_id", "access", "until"}
    above = rep.post(f"/customers/{cid}/shares", json={"user_id": company["admin"]})
    assert above.status_code == 422 and "already sees this customer" in above.get_json()["errors"]["user_id"][0]
    assert rep.get(f"/customers/{cid}/shares").get_json()["items"] == []
    hidden = api_for(tenant, "mate").post(f"/customers/{cid}/shares", json={"user_id": company["mate"]})
    assert hidden.status_code == 404  # not visible: never a 403 that confirms it


def test_shared_is_null_for_the_hierarchy_and_set_for_the_colleague(tenant, api_for, company):
    cid = company["customer"]
    api_for(tenant, "boss").post(f"/customers/{cid}/shares", json={"user_id": company["mate"], "access": "edit"})
    listed = {c["id"]: c["shared"] for c in api_for(tenant, "mate").get("/customers").get_json()["items"]}
    assert listed == {cid: "edit"}
    assert [c["shared"] for c in api_for(tenant, "boss").get("/customers").get_json()["items"]] == [None]
    assert api_for(tenant).get(f"/customers/{cid}").get_json()["shared"] is None
    assert api_for(tenant, "peer").get(f"/customers/{cid}").status_code == 404  # mate's superior: not shared
    changed = api_for(tenant, "mate").patch(f"/customers/{cid}", json={"remarks": "共享编辑"})
    assert changed.status_code == 200 and changed.get_json()["shared"] == "edit"
    assert api_for(tenant, "mate").delete(f"/customers/{cid}").status_code == 403
    assert api_for(tenant, "rep").get(f"/customers/{cid}").get_json()["remarks"] == "共享编辑"
