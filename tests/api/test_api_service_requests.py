"""Service requests through the API (API.md ``service requests``): the fields as written there, the status flow
and its refusals (409 for a move the flow does not allow, 422 naming the field), reopening, overdue by a frozen
clock, the satisfaction score, the return visit, and who may see a request."""
import re
from datetime import datetime, timedelta

import pytest
import time_machine

from crm_saas.core.base import utcnow
from tests.blueprints.service.helpers import service_team, set_request

API_FIELDS = {"id", "number", "type", "priority", "channel", "customer_id", "contact_id", "deal_id", "description",
              "status", "assignee_id", "due_at", "resolution", "satisfaction", "created_at", "closed_at"}


class Tokens(dict):
    """Each person's API client, signed in the first time a test asks for it (most tests need one or two)."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, username):
        self[username] = self.make(username)
        return self[username]


@pytest.fixture
def team(tenant, factory, api_for):
    ids = service_team(factory, tenant)
    apis = Tokens(lambda username: api_for(tenant, username))
    customer = factory.customer(tenant, ids["rep"], name="华东机械有限公司", phone="13800138000")
    return {"ids": ids, "api": apis, "customer": customer}


def contact_of(api, customer_id):
    return api.get(f"/customers/{customer_id}").get_json()["contacts"][0]["id"]


def file(api, customer_id, **data):
    response = api.post("/service-requests", json={"customer_id": customer_id, "type": "complaint",
                                                   "description": "设备运行时异响", **data})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def move(api, request_id, status, expect=200, **extra):
    response = api.post(f"/service-requests/{request_id}/transition", json={"status": status, **extra})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def test_filing_a_request_numbers_it_and_sets_its_due_times_from_its_priority(team):
    rep = team["api"]["rep"]
    contact = contact_of(rep, team["customer"])
    before = utcnow()
    body = file(rep, team["customer"], contact_id=contact, channel="phone", priority="high")
    assert API_FIELDS <= set(body)
    assert re.fullmatch(r"SR\d{8}0001", body["number"])
    assert (body["status"], body["priority"], body["channel"], body["contact_id"]) == ("new", "high", "phone", contact)
    assert body["assignee_id"] is None and body["overdue"] is False
    created = datetime.fromisoformat(body["created_at"])
    assert created >= before - timedelta(seconds=1)
    # high: the company's default hours are 4 to respond and 24 to resolve
    assert datetime.fromisoformat(body["response_due_at"]) - created == timedelta(hours=4)
    assert datetime.fromisoformat(body["due_at"]) - created == timedelta(hours=24)
    assert [e["kind"] for e in body["timeline"]] == ["created"]
    second = file(rep, team["customer"])
    assert second["number"] == body["number"][:-4] + "0002" and second["priority"] == "normal"


def test_bad_input_names_every_field_and_saves_nothing(team, factory, tenant):
    rep = team["api"]["rep"]
    other = factory.customer(tenant, team["ids"]["rep"], name="另一家公司", phone="13900139000")
    response = rep.post("/service-requests", json={
        "customer_id": team["customer"], "type": "praise", "priority": "asap", "channel": "fax", "description": " ",
        "contact_id": contact_of(rep, other), "assignee_id": 999999})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"type", "priority", "channel", "description", "contact_id",
                                                  "assignee_id"}
    hidden = factory.customer(tenant, team["ids"]["outsider"], name="别人的客户", phone="13700137000")
    response = rep.post("/service-requests", json={"customer_id": hidden, "type": "inquiry", "description": "问价格"})
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {"customer_id"}
    assert rep.get("/service-requests").get_json()["total"] == 0


def test_the_status_flow_from_new_to_closed_with_a_satisfaction_score(team):
    api = team["api"]["rep"]
    req = file(api, team["customer"])
    url = req["id"]
    started = move(api, url, "in_progress")
    assert started["status"] == "in_progress"
    assert move(api, url, "waiting_customer")["status"] == "waiting_customer"
    assert move(api, url, "in_progress")["status"] == "in_progress"
    refused = api.post(f"/service-requests/{url}/transition", json={"status": "resolved"})
    assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {"resolution"}
    resolved = move(api, url, "resolved", resolution="更换了电机轴承")
    assert (resolved["status"], resolved["resolution"]) == ("resolved", "更换了电机轴承")
    for score in (0, 6, "很好", 4.5):
        refused = api.post(f"/service-requests/{url}/transition", json={"status": "closed", "satisfaction": score})
        assert refused.status_code == 422, score
        assert set(refused.get_json()["errors"]) == {"satisfaction"}
    closed = move(api, url, "closed", satisfaction=4)
    assert (closed["status"], closed["satisfaction"], closed["resolution"]) == ("closed", 4, "更换了电机轴承")
    assert closed["closed_at"] is not None
    moves = [(e["from_status"], e["to_status"]) for e in reversed(closed["timeline"]) if e["kind"] == "status"]
    assert moves == [("new", "in_progress"), ("in_progress", "waiting_customer"), ("waiting_customer", "in_progress"),
                     ("in_progress", "resolved"), ("resolved", "closed")]


def test_a_move_the_flow_does_not_allow_is_a_conflict_naming_where_it_may_go(team):
    api = team["api"]["rep"]
    req = file(api, team["customer"])
    refused = move(api, req["id"], "closed", expect=409, resolution="直接关闭")
    assert set(refused["errors"]) == {"status"} and refused["allowed"] == ["in_progress", "resolved"]
    assert move(api, req["id"], "waiting_customer", expect=409)["allowed"] == ["in_progress", "resolved"]
    assert set(move(api, req["id"], "done", expect=422)["errors"]) == {"status"}
    move(api, req["id"], "in_progress")
    assert move(api, req["id"], "new", expect=409)["allowed"] == ["waiting_customer", "resolved"]
    assert api.get(f"/service-requests/{req['id']}").get_json()["status"] == "in_progress"


def test_reopening_a_closed_request_starts_it_over_and_keeps_the_old_score_on_the_timeline(team):
    api = team["api"]["rep"]
    req = file(api, team["customer"], priority="urgent")
    move(api, req["id"], "resolved", resolution="远程指导重启")
    move(api, req["id"], "closed", satisfaction=2)
    reopened = move(api, req["id"], "in_progress")
    assert (reopened["status"], reopened["reopened"]) == ("in_progress", 1)
    assert (reopened["satisfaction"], reopened["resolution"], reopened["closed_at"]) == (None, None, None)
    # urgent: resolved within 8 hours of the reopening
    due = datetime.fromisoformat(reopened["due_at"])
    assert timedelta(hours=7, minutes=59) < due - utcnow() <= timedelta(hours=8)
    entry = reopened["timeline"][0]
    assert entry["details"]["reopened"] is True
    assert (entry["details"]["satisfaction"], entry["details"]["resolution"]) == (2, "远程指导重启")
    refused = api.post(f"/service-requests/{req['id']}/transition", json={"status": "closed"})
    assert refused.status_code == 409  # back in progress: it must be resolved again first
    move(api, req["id"], "resolved", resolution="上门更换主板")
    assert move(api, req["id"], "closed", satisfaction=5)["satisfaction"] == 5


def test_overdue_by_a_frozen_clock(team):
    api = team["api"]["rep"]
    t0 = (utcnow() - timedelta(days=10)).replace(microsecond=0)
    with time_machine.travel(t0, tick=False):
        req = file(api, team["customer"])  # normal: respond within 8 hours, resolve within 72

    def overdue_at(hours):
        with time_machine.travel(t0 + timedelta(hours=hours), tick=False):
            one = api.get(f"/service-requests/{req['id']}").get_json()["overdue"]
            listed = [r["id"] for r in api.get("/service-requests?overdue=true").get_json()["items"]]
            assert one == (req["id"] in listed)
            return one

    assert overdue_at(7) is False
    assert overdue_at(9) is True  # nobody has responded within 8 hours
    with time_machine.travel(t0 + timedelta(hours=9), tick=False):
        move(api, req["id"], "in_progress")
    assert overdue_at(10) is False  # responded; the resolution is due at 72 hours
    assert overdue_at(73) is True
    with time_machine.travel(t0 + timedelta(hours=73), tick=False):
        move(api, req["id"], "waiting_customer")
    assert overdue_at(74) is True  # waiting for the customer pauses nothing
    with time_machine.travel(t0 + timedelta(hours=74), tick=False):
        move(api, req["id"], "resolved", resolution="已处理")
    assert overdue_at(80) is False


def test_changing_a_request_puts_each_change_on_the_timeline_and_priority_moves_the_due_times(team):
    api, ids = team["api"]["rep"], team["ids"]
    req = file(api, team["customer"])
    response = api.patch(f"/service-requests/{req['id']}", json={
        "priority": "urgent", "type": "after_sales", "assignee_id": ids["desk"], "customer_id": req["customer_id"]})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    created = datetime.fromisoformat(body["created_at"])
    assert datetime.fromisoformat(body["due_at"]) - created == timedelta(hours=8)
    assert datetime.fromisoformat(body["response_due_at"]) - created == timedelta(hours=1)
    assert body["assignee_id"] == ids["desk"]
    kinds = {e["kind"]: e for e in body["timeline"]}
    assert kinds["assigned"]["details"]["to_name"] == "Desk"
    assert {(c["field"], c["old"], c["new"]) for c in kinds["changed"]["details"]["changes"]} == {
        ("priority", "normal", "urgent"), ("type", "complaint", "after_sales")}
    refused = api.patch(f"/service-requests/{req['id']}", json={"customer_id": req["customer_id"] + 1})
    assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {"customer_id"}


def test_notes_go_on_the_timeline(team):
    api = team["api"]["rep"]
    req = file(api, team["customer"])
    assert set(api.post(f"/service-requests/{req['id']}/notes", json={"body": "  "}).get_json()["errors"]) == {"body"}
    added = api.post(f"/service-requests/{req['id']}/notes", json={"body": "已电话联系客户，约明天上门"})
    assert added.status_code == 201 and added.get_json()["kind"] == "note"
    timeline = api.get(f"/service-requests/{req['id']}").get_json()["timeline"]
    assert (timeline[0]["kind"], timeline[0]["body"]) == ("note", "已电话联系客户，约明天上门")


def test_closing_may_schedule_a_return_visit_for_the_assignee(team, tenant, api_for):
    rep, ids = team["api"]["rep"], team["ids"]
    req = file(rep, team["customer"], assignee_id=ids["rep"])
    move(rep, req["id"], "resolved", resolution="更换配件")
    refused = rep.post(f"/service-requests/{req['id']}/transition",
                       json={"status": "closed", "return_visit_at": "2001-01-01T10:00:00+08:00"})
    assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {"return_visit_at"}
    when = (utcnow() + timedelta(days=7)).replace(microsecond=0)
    closed = move(rep, req["id"], "closed", satisfaction=5, return_visit_at=when.isoformat())
    assert closed["timeline"][0]["details"]["return_visit_at"] == when.isoformat()
    tasks = rep.get(f"/tasks?customer_id={team['customer']}").get_json()["items"]
    assert [(t["assignee_id"], datetime.fromisoformat(t["due_at"])) for t in tasks] == [(ids["rep"], when)]
    assert req["number"] in tasks[0]["title"]


def test_who_sees_a_request(team):
    api, ids = team["api"], team["ids"]
    req = file(api["rep"], team["customer"])
    path = f"/service-requests/{req['id']}"
    for who in ("rep", "boss", "admin", "desk"):  # the owner chain, and the service desk (unassigned)
        assert api[who].get(path).status_code == 200, who
    for call in (lambda a: a.get(path), lambda a: a.patch(path, json={"priority": "low"}),
                 lambda a: a.post(f"{path}/notes", json={"body": "看看"}),
                 lambda a: a.post(f"{path}/transition", json={"status": "in_progress"})):
        assert call(api["outsider"]).status_code == 404
    assert api["outsider"].get("/service-requests").get_json()["total"] == 0
    # assigned to someone in the other branch: they and their supervisor see it, the desk no longer does
    assert api["rep"].patch(path, json={"assignee_id": ids["outsider"]}).status_code == 200
    assert api["outsider"].get(path).status_code == 200 and api["boss2"].get(path).status_code == 200
    assert api["desk"].get(path).status_code == 404
    assert api["boss"].get(path).status_code == 200  # still the customer's owner chain


def test_the_list_filters(team, factory, tenant):
    api = team["api"]["rep"]
    other = factory.customer(tenant, team["ids"]["rep"], name="西南电子科技", phone="13900139001")
    first = file(api, team["customer"], type="inquiry", priority="low")
    second = file(api, other, type="complaint", priority="urgent")
    move(api, second["id"], "in_progress")

    def ids(query):
        response = api.get(f"/service-requests?{query}")
        assert response.status_code == 200, response.get_json()
        return {r["id"] for r in response.get_json()["items"]}

    assert ids("") == {first["id"], second["id"]}
    assert ids("status=new") == {first["id"]} and ids("status=open") == {first["id"], second["id"]}
    assert ids("type=complaint") == {second["id"]} and ids("priority=low") == {first["id"]}
    assert ids("q=西南") == {second["id"]} and ids(f"q={first['number']}") == {first["id"]}
    assert ids(f"customer_id={team['customer']}") == {first["id"]}
    assert api.get("/service-requests?status=finished").status_code == 422


def test_set_in_the_past_a_request_is_overdue_in_the_list(team, factory, tenant):
    api = team["api"]["rep"]
    req = file(api, team["customer"])
    set_request(factory, tenant, req["id"], due_at=utcnow() - timedelta(minutes=1))
    assert [r["id"] for r in api.get("/service-requests?overdue=true").get_json()["items"]] == [req["id"]]
