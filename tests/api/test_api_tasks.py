"""Tasks through the API (API.md ``tasks``): add, list with filters, tick off, under the assignee's visibility."""
from datetime import datetime, timedelta, timezone

import pytest

FIELDS = {"id", "title", "due_at", "customer_id", "deal_id", "assignee_id", "done"}


def iso(delta=timedelta()):
    return (datetime.now(timezone.utc) + delta).astimezone(timezone(timedelta(hours=8))).isoformat(timespec="seconds")


@pytest.fixture
def team(tenant, factory):
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    rep = factory.user(tenant, "rep", superior_id=boss)
    peer = factory.user(tenant, "peer", superior_id=admin)
    mine = factory.customer(tenant, rep, name="我的客户")
    theirs = factory.customer(tenant, peer, name="同事的客户", phone="13900139000")
    return {"admin": admin, "boss": boss, "rep": rep, "peer": peer, "mine": mine, "theirs": theirs,
            "deal": factory.deal(tenant, mine, rep), "their_deal": factory.deal(tenant, theirs, peer)}


def test_add_list_and_tick_off(tenant, team, api_for):
    rep = api_for(tenant, "rep")
    due = iso(timedelta(hours=5))
    created = rep.post("/tasks", json={"title": "寄样品", "due_at": due, "deal_id": team["deal"]})
    assert created.status_code == 201, created.get_json()
    task = created.get_json()
    assert FIELDS <= set(task)
    assert (task["title"], task["assignee_id"], task["customer_id"], task["deal_id"], task["done"]) == (
        "寄样品", team["rep"], team["mine"], team["deal"], False)  # the deal names its customer
    assert datetime.fromisoformat(task["due_at"]) == datetime.fromisoformat(due)
    rep.post("/tasks", json={"title": "月底复盘", "due_at": iso(timedelta(days=20))})

    listing = rep.get("/tasks?per_page=1").get_json()
    assert (listing["total"], listing["per_page"], [t["title"] for t in listing["items"]]) == (2, 1, ["寄样品"])
    assert rep.get(f"/tasks?customer_id={team['mine']}").get_json()["total"] == 1
    assert rep.get(f"/tasks?deal_id={team['deal']}").get_json()["total"] == 1
    assert rep.get("/tasks", query_string={"due_before": iso(timedelta(days=1))}).get_json()["total"] == 1
    assert rep.get("/tasks", query_string={"due_after": iso(timedelta(days=1))}).get_json()["total"] == 1
    soon = iso(timedelta(days=20))[:10]  # the China day
    assert rep.get(f"/tasks?due_before={soon}").get_json()["total"] == 2  # a day: until its end

    done = rep.patch(f"/tasks/{task['id']}", json={"done": True})
    assert done.status_code == 200 and done.get_json()["done"] is True
    assert rep.get("/tasks?done=false").get_json()["total"] == 1
    assert rep.get("/tasks?done=true").get_json()["items"][0]["id"] == task["id"]
    moved = rep.patch(f"/tasks/{task['id']}", json={"due_at": iso(timedelta(days=2)), "title": "寄两份样品"})
    assert moved.get_json()["title"] == "寄两份样品"
    assert rep.get("/tasks?due_before=x").status_code == 422 and rep.get("/tasks?done=maybe").status_code == 422


def test_every_bad_field_is_named(tenant, team, api_for):
    rep = api_for(tenant, "rep")
    empty = rep.post("/tasks", json={})
    assert empty.status_code == 422 and set(empty.get_json()["errors"]) == {"title", "due_at"}
    bad = rep.post("/tasks", json={"title": "x" * 201, "due_at": "tomorrow", "customer_id": team["theirs"],
                                   "deal_id": team["their_deal"], "assignee_id": team["peer"], "done": "yes"})
    assert set(bad.get_json()["errors"]) == {"title", "due_at", "customer_id", "deal_id", "assignee_id", "done"}
    wrong_pair = rep.post("/tasks", json={"title": "x", "due_at": iso(), "customer_id": team["mine"],
                                          "deal_id": team["their_deal"]})
    assert list(wrong_pair.get_json()["errors"]) == ["deal_id"]
    assert rep.get("/tasks").get_json()["total"] == 0


def test_the_hierarchy_decides_who_sees_and_assigns(tenant, team, api_for):
    boss, rep, peer = api_for(tenant, "boss"), api_for(tenant, "rep"), api_for(tenant, "peer")
    for_rep = boss.post("/tasks", json={"title": "给下属的任务", "due_at": iso(timedelta(days=1)),
                                        "assignee_id": team["rep"]})
    assert for_rep.status_code == 201 and for_rep.get_json()["assignee_id"] == team["rep"]
    task_id = for_rep.get_json()["id"]
    assert [t["id"] for t in rep.get("/tasks").get_json()["items"]] == [task_id]
    assert boss.get(f"/tasks?assignee_id={team['rep']}").get_json()["total"] == 1
    assert peer.get("/tasks").get_json()["total"] == 0
    assert peer.patch(f"/tasks/{task_id}", json={"done": True}).status_code == 404
    assert peer.get(f"/tasks?customer_id={team['mine']}").status_code == 404
    assert rep.get(f"/tasks?deal_id={team['their_deal']}").status_code == 404
    refused = rep.post("/tasks", json={"title": "给上级", "due_at": iso(), "assignee_id": team["boss"]})
    assert list(refused.get_json()["errors"]) == ["assignee_id"]
    handed = boss.patch(f"/tasks/{task_id}", json={"assignee_id": team["boss"]})
    assert handed.status_code == 200 and rep.get("/tasks").get_json()["total"] == 0
    assert rep.patch("/tasks/999999", json={"done": True}).status_code == 404


def test_tasks_of_a_binned_customer_are_out_of_sight(tenant, team, api_for):
    admin = api_for(tenant)
    rep = api_for(tenant, "rep")
    rep.post("/tasks", json={"title": "回访", "due_at": iso(), "customer_id": team["mine"]})
    assert admin.delete(f"/customers/{team['mine']}").status_code == 204
    assert rep.get("/tasks").get_json()["total"] == 0
    assert admin.post(f"/customers/{team['mine']}/restore").status_code in (200, 204)
    assert rep.get("/tasks").get_json()["total"] == 1
