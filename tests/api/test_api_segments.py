"""Segments through the API (API.md ``segments``): the fields, a count equal to the customer list it gives,
private segments answered 404 to others, and the ready-made 沉睡客户 tuned by admins only."""
import pytest

from tests.blueprints.campaigns.helpers import customer, days_ago


@pytest.fixture
def team(tenant, factory, api_for, admin_api):
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    rep = factory.user(tenant, "rep", superior_id=boss)
    rep2 = factory.user(tenant, "rep2", superior_id=boss)
    for owner, name, size in ((rep, "甲", "21-100"), (rep, "乙", "101-500"), (rep2, "丙", "21-100"),
                              (boss, "丁", "21-100")):
        customer(factory, tenant, owner, name, industry="manufacturing", size=size)
    return {"ids": {"admin": admin, "boss": boss, "rep": rep, "rep2": rep2}, "admin": admin_api,
            "boss": api_for(tenant, "boss"), "rep": api_for(tenant, "rep"), "rep2": api_for(tenant, "rep2")}


def test_count_equals_the_customer_list_for_each_viewer(team):
    created = team["rep"].post("/segments", json={"name": "中型制造", "shared": True,
                                                  "filters": {"industry": "manufacturing", "size": "21-100"}})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert set(body) == {"id", "name", "filters", "shared", "count"}
    assert body["filters"] == {"industry": "manufacturing", "size": "21-100"} and body["count"] == 1
    for name, expected in (("rep", 1), ("boss", 3)):
        api = team[name]
        read = api.get(f"/segments/{body['id']}").get_json()
        listed = api.get(f"/segments/{body['id']}/customers?per_page=1").get_json()
        assert read["count"] == listed["total"] == expected, name
        assert set(listed["items"][0]) >= {"id", "number", "name", "contacts", "owner_id"}
    assert team["rep2"].get(f"/segments/{body['id']}").status_code == 404  # beside the owner, not above or below
    assert team["rep2"].get(f"/segments/{body['id']}/customers").status_code == 404


def test_private_segments_patch_delete_and_named_errors(team):
    bad = team["rep"].post("/segments", json={"name": "", "filters": {"colour": "red", "tag": [1]}, "shared": "y"})
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"name", "filters.colour", "filters.tag", "shared"}
    mine = team["rep"].post("/segments", json={"name": "我的", "filters": {"tag": ["重点"]}}).get_json()
    assert mine["shared"] is False and mine["filters"] == {"tag": ["重点"]}
    for other in ("boss", "rep2", "admin"):
        assert team[other].get(f"/segments/{mine['id']}").status_code == 404, other
        assert team[other].patch(f"/segments/{mine['id']}", json={"name": "x"}).status_code == 404, other
        assert mine["id"] not in {s["id"] for s in team[other].get("/segments").get_json()["items"]}

    patched = team["rep"].patch(f"/segments/{mine['id']}", json={"shared": True, "filters": {"size": "101-500"}})
    assert patched.status_code == 200 and patched.get_json()["count"] == 1
    assert team["boss"].patch(f"/segments/{mine['id']}", json={"name": "x"}).status_code == 403  # sees, may not
    assert team["boss"].delete(f"/segments/{mine['id']}").status_code == 403
    assert team["rep"].delete(f"/segments/{mine['id']}").status_code == 204
    assert team["rep"].get(f"/segments/{mine['id']}").status_code == 404


def test_the_ready_made_dormant_segment(team, factory, tenant):
    customer(factory, tenant, team["ids"]["rep"], "老客户", created_at=days_ago(100))
    dormant = next(s for s in team["rep"].get("/segments").get_json()["items"] if s["filters"].get("days"))
    assert (dormant["name"], dormant["filters"], dormant["shared"], dormant["count"]) == (
        "沉睡客户", {"days": 90}, True, 1)
    listed = team["rep"].get(f"/segments/{dormant['id']}/customers").get_json()
    assert [c["name"] for c in listed["items"]] == ["老客户"]
    assert team["rep"].patch(f"/segments/{dormant['id']}", json={"filters": {"days": 120}}).status_code == 403
    assert team["admin"].delete(f"/segments/{dormant['id']}").status_code == 403
    bad = team["admin"].patch(f"/segments/{dormant['id']}", json={"filters": {"days": 0}, "shared": False})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"filters.days", "shared"}
    tuned = team["admin"].patch(f"/segments/{dormant['id']}", json={"filters": {"days": 120}})
    assert tuned.status_code == 200 and tuned.get_json()["count"] == 0
