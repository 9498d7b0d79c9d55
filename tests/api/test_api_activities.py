"""Follow-ups through the API (API.md ``activities``): the form's rules, the customer's visibility."""
from datetime import datetime, timedelta, timezone

import pytest

from tests.api_client import change_setting

FIELDS = {"id", "customer_id", "deal_id", "type", "occurred_at", "duration_minutes", "participants", "summary",
          "feedback", "offer", "next_action", "next_follow_up_at", "created_by"}


def iso(delta=timedelta()):
    return (datetime.now(timezone.utc) + delta).astimezone(timezone(timedelta(hours=8))).isoformat(timespec="seconds")


def follow_up(customer_id, **fields):
    return {"customer_id": customer_id, "type": "call", "occurred_at": iso(-timedelta(hours=2)), "summary": "电话沟通",
            **fields}


@pytest.fixture
def team(tenant, factory):
    admin = factory.admin_id(tenant)
    rep = factory.user(tenant, "rep", superior_id=admin)
    peer = factory.user(tenant, "peer", superior_id=admin)
    mine = factory.customer(tenant, rep, name="我的客户")
    theirs = factory.customer(tenant, peer, name="同事的客户", phone="13900139000")
    return {"admin": admin, "rep": rep, "peer": peer, "mine": mine, "theirs": theirs,
            "deal": factory.deal(tenant, mine, rep, name="我的商机"),
            "their_deal": factory.deal(tenant, theirs, peer, name="同事的商机")}


def test_record_read_and_list(tenant, team, api_for):
    rep = api_for(tenant, "rep")
    body = follow_up(team["mine"], deal_id=team["deal"], type="meeting", duration_minutes=45, participants="张总",
                     feedback="认可方案", offer="免费试用", next_action="发合同", next_follow_up_at=iso(timedelta(days=1)))
    created = rep.post("/activities", json=body)
    assert created.status_code == 201, created.get_json()
    activity = created.get_json()
    assert FIELDS <= set(activity)
    assert (activity["type"], activity["deal_id"], activity["duration_minutes"], activity["participants"],
            activity["feedback"], activity["offer"], activity["next_action"], activity["created_by"]) == (
        "meeting", team["deal"], 45, "张总", "认可方案", "免费试用", "发合同", team["rep"])
    assert datetime.fromisoformat(activity["occurred_at"]) == datetime.fromisoformat(body["occurred_at"])
    assert datetime.fromisoformat(activity["occurred_at"]).utcoffset() is not None  # ISO 8601 with offset
    assert rep.get(f"/activities/{activity['id']}").get_json() == activity

    tasks = rep.get("/tasks").get_json()["items"]
    assert [(t["title"], t["assignee_id"], t["customer_id"], t["deal_id"]) for t in tasks] == [
        ("发合同", team["rep"], team["mine"], team["deal"])]
    assert datetime.fromisoformat(tasks[0]["due_at"]) == datetime.fromisoformat(body["next_follow_up_at"])

    rep.post("/activities", json=follow_up(team["mine"], type="wechat", occurred_at=iso(-timedelta(days=3))))
    listing = rep.get("/activities?per_page=1").get_json()
    assert (listing["total"], listing["page"], listing["per_page"]) == (2, 1, 1)
    assert listing["items"][0]["id"] == activity["id"]  # newest first
    assert rep.get("/activities?type=wechat").get_json()["total"] == 1
    assert rep.get(f"/activities?deal_id={team['deal']}").get_json()["total"] == 1
    since = iso(-timedelta(days=1))[:10]  # the China day: from its start
    assert rep.get(f"/activities?from={since}").get_json()["total"] == 1
    assert rep.get("/activities", query_string={"to": iso(-timedelta(days=2))}).get_json()["total"] == 1
    assert rep.get("/activities?type=fax").status_code == 422


def test_every_bad_field_is_named(tenant, team, api_for):
    rep = api_for(tenant, "rep")
    empty = rep.post("/activities", json={})
    assert empty.status_code == 422
    assert set(empty.get_json()["errors"]) == {"customer_id", "type", "occurred_at", "summary"}
    bad = rep.post("/activities", json={
        "customer_id": team["mine"], "deal_id": team["their_deal"], "type": "fax", "occurred_at": "yesterday",
        "duration_minutes": 1441, "summary": 12, "next_follow_up_at": "soon", "participants": ["a"],
    })
    assert set(bad.get_json()["errors"]) == {"deal_id", "type", "occurred_at", "duration_minutes", "summary",
                                             "next_follow_up_at", "participants"}
    order = rep.post("/activities", json=follow_up(team["mine"], next_follow_up_at=iso(-timedelta(days=1))))
    assert list(order.get_json()["errors"]) == ["next_follow_up_at"]
    future = rep.post("/activities", json=follow_up(team["mine"], occurred_at=iso(timedelta(days=1))))
    assert list(future.get_json()["errors"]) == ["occurred_at"]
    booked = rep.post("/activities", json=follow_up(team["mine"], type="visit", occurred_at=iso(timedelta(days=1))))
    assert booked.status_code == 201  # visits and meetings may be booked ahead
    assert rep.post("/activities", json=follow_up(team["mine"], duration_minutes=0)).status_code == 201


def test_hidden_customers_and_their_follow_ups(tenant, team, api_for):
    peer, rep = api_for(tenant, "peer"), api_for(tenant, "rep")
    theirs = peer.post("/activities", json=follow_up(team["theirs"], deal_id=team["their_deal"])).get_json()
    refused = rep.post("/activities", json=follow_up(team["theirs"]))
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["customer_id"]
    assert rep.get(f"/activities/{theirs['id']}").status_code == 404
    assert rep.patch(f"/activities/{theirs['id']}", json={"summary": "x"}).status_code == 404
    assert rep.get(f"/activities?customer_id={team['theirs']}").status_code == 404
    assert rep.get(f"/activities?deal_id={team['their_deal']}").status_code == 404
    assert rep.get("/activities").get_json()["total"] == 0
    assert api_for(tenant).get(f"/activities/{theirs['id']}").status_code == 200  # the admin sees everyone's
    assert rep.get("/activities/999999").status_code == 404


def test_patch_edits_and_moves_the_task(tenant, team, api_for):
    rep = api_for(tenant, "rep")
    body = follow_up(team["mine"], next_follow_up_at=iso(timedelta(days=1)))
    activity = rep.post("/activities", json=body).get_json()
    later = iso(timedelta(days=4))
    patched = rep.patch(f"/activities/{activity['id']}", json={"summary": "改过", "next_follow_up_at": later})
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["summary"] == "改过" and patched.get_json()["type"] == "call"
    [task] = rep.get("/tasks").get_json()["items"]
    assert datetime.fromisoformat(task["due_at"]) == datetime.fromisoformat(later)
    refused = rep.patch(f"/activities/{activity['id']}", json={"summary": "", "occurred_at": iso(timedelta(days=9))})
    # Judged as it would become: the stored next time would now come before the follow-up.
    assert set(refused.get_json()["errors"]) == {"summary", "occurred_at", "next_follow_up_at"}
    cleared = rep.patch(f"/activities/{activity['id']}", json={"next_follow_up_at": None})
    assert cleared.status_code == 200, cleared.get_json()
    assert rep.get("/tasks").get_json()["total"] == 0


def test_only_the_author_or_those_above_the_owner_may_edit(tenant, team, factory, api_for):
    """Seen through "see all", yet not above the owner: visible, not editable."""
    factory.user(tenant, "boss", role="supervisor", superior_id=team["admin"])
    change_setting(factory, tenant, "role_permissions", lambda v: {**v, "supervisor": [*v["supervisor"], "see_all"]})
    activity = api_for(tenant, "rep").post("/activities", json=follow_up(team["mine"])).get_json()
    boss = api_for(tenant, "boss")
    assert boss.get(f"/activities/{activity['id']}").status_code == 200
    assert boss.patch(f"/activities/{activity['id']}", json={"summary": "x"}).status_code == 403
    assert api_for(tenant).patch(f"/activities/{activity['id']}", json={"summary": "管理员改"}).status_code == 200


def test_the_deal_remembers_its_newest_follow_up(tenant, team, api_for, factory):
    from crm_saas.blueprints.pipeline.models import Deal
    from crm_saas.extensions import db

    rep = api_for(tenant, "rep")
    newest = iso(-timedelta(hours=1))
    rep.post("/activities", json=follow_up(team["mine"], deal_id=team["deal"], occurred_at=iso(-timedelta(days=5))))
    rep.post("/activities", json=follow_up(team["mine"], deal_id=team["deal"], occurred_at=newest))
    stored = factory._run(tenant, lambda: db.session.get(Deal, team["deal"]).last_activity_at)
    assert stored == datetime.fromisoformat(newest)
