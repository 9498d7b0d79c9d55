"""Shares (I2): a customer lent to a colleague in another branch shows up in their list, search, detail page and
API, read-only or editable, until its last day or their departure, and to nobody else."""
import io
from datetime import date, timedelta

import pytest
import time_machine

from tests.conftest import STAFF_PASSWORD, login

HX = {"HX-Request": "true"}


@pytest.fixture
def people(tenant, factory):
    """admin > boss > rep (owns 远航贸易); admin > other > mate, who sees nothing of boss's branch; admin > third."""
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    other = factory.user(tenant, "other", role="supervisor", superior_id=admin)
    ids = {"admin": admin, "boss": boss, "other": other, "rep": factory.user(tenant, "rep", superior_id=boss),
           "mate": factory.user(tenant, "mate", superior_id=other), "third": factory.user(tenant, "third",
                                                                                      superior_id=other)}
    ids["customer"] = factory.customer(tenant, ids["rep"], name="远航贸易有限公司", phone="13912345678")
    return ids


def web(tenant, client_for, username):
    client = client_for(tenant)
    assert login(client, username, STAFF_PASSWORD).status_code == 302
    return client


def share(client, cid, person_id, access="read", until=""):
    return client.post(f"/customers/{cid}/shares", data={"user_id": str(person_id), "access": access, "until": until},
                       headers=HX)


def test_a_read_share_shows_the_customer_everywhere_the_colleague_looks(tenant, client_for, api_for, people):
    cid = people["customer"]
    mate = web(tenant, client_for, "mate")
    assert mate.get(f"/customers/{cid}").status_code == 404
    assert "远航贸易" not in mate.get("/customers/").text

    rep = web(tenant, client_for, "rep")
    added = share(rep, cid, people["mate"])
    assert added.status_code == 200 and "远航贸易有限公司 is now shared with Mate." in added.text

    assert "远航贸易有限公司" in mate.get("/customers/").text
    assert "远航贸易有限公司" in mate.get("/customers/?q=远航").text
    assert "远航贸易有限公司" in mate.get("/search?q=远航", headers=HX).text
    page = mate.get(f"/customers/{cid}")
    assert page.status_code == 200 and "Shared with you by Rep" in page.text and "read only" in page.text
    assert "139****5678" in page.text and "13912345678" not in page.text  # C12: a share lends no phone numbers
    api = api_for(tenant, "mate")
    assert cid in [c["id"] for c in api.get("/customers").get_json()["items"]]
    body = api.get(f"/customers/{cid}").get_json()
    assert body["shared"] == "read" and body["contacts"][0]["phone"] == "139****5678"
    assert api_for(tenant, "rep").get(f"/customers/{cid}").get_json()["shared"] is None  # theirs, not shared

    for outsider in ("third", "other"):  # a share reaches its one colleague, not their team or their superior
        assert web(tenant, client_for, outsider).get(f"/customers/{cid}").status_code == 404
        assert api_for(tenant, outsider).get("/customers").get_json()["total"] == 0
    log = api_for(tenant, "rep").get(f"/customers/{cid}/changes").get_json()["items"]
    assert (log[0]["action"], log[0]["field"], log[0]["subject"], log[0]["new"]) == ("shared", "share", "Mate", "read")


def test_read_access_refuses_every_change_clearly(tenant, client_for, api_for, people):
    cid = people["customer"]
    share(web(tenant, client_for, "boss"), cid, people["mate"])
    mate = web(tenant, client_for, "mate")
    page = mate.get(f"/customers/{cid}").text
    assert f"/customers/{cid}/edit" not in page and f"/customers/{cid}/transfer" not in page
    refused = mate.get(f"/customers/{cid}/edit")
    assert refused.status_code == 403 and "shared with you to read only" in refused.text
    posted = mate.post(f"/customers/{cid}/edit", data={"name": "改名"}, headers=HX)
    assert posted.status_code == 403 and "read only" in posted.text
    assert mate.post(f"/customers/{cid}/transfer", data={"to": str(people["mate"])}).status_code == 403
    api = api_for(tenant, "mate")
    patched = api.patch(f"/customers/{cid}", json={"name": "改名"})
    assert patched.status_code == 403 and "read only" in patched.get_json()["message"]
    assert api.post(f"/customers/{cid}/transfer", json={"to": people["mate"]}).status_code == 403
    assert api.get(f"/customers/{cid}").get_json()["name"] == "远航贸易有限公司"
    assert mate.post(f"/customers/{cid}/shares", data={"user_id": str(people["third"])}).status_code == 403
    assert api.post(f"/customers/{cid}/shares", json={"user_id": people["third"]}).status_code == 403


def test_edit_access_edits_fields_but_never_hands_the_customer_on(tenant, client_for, api_for, people, factory,
                                                                   admin_client):
    cid = people["customer"]
    share(web(tenant, client_for, "rep"), cid, people["mate"], access="edit")
    api = api_for(tenant, "mate")
    assert api.get(f"/customers/{cid}").get_json()["shared"] == "edit"
    contacts = api.get(f"/customers/{cid}").get_json()["contacts"]
    patched = api.patch(f"/customers/{cid}", json={"remarks": "合作伙伴跟进", "contacts": contacts})
    assert patched.status_code == 200 and patched.get_json()["remarks"] == "合作伙伴跟进"
    assert api_for(tenant, "rep").get(f"/customers/{cid}").get_json()["contacts"][0]["phone"] == "13912345678"
    mate = web(tenant, client_for, "mate")
    assert mate.get(f"/customers/{cid}/edit").status_code == 200
    moved = api.post(f"/customers/{cid}/transfer", json={"to": people["mate"]})
    assert moved.status_code == 403 and "only its owner and those above them" in moved.get_json()["message"]
    assert mate.get(f"/customers/{cid}/transfer").status_code == 403
    assert api_for(tenant, "rep").get(f"/customers/{cid}").get_json()["owner_id"] == people["rep"]


def test_a_share_ends_on_its_last_day(tenant, client_for, api_for, people):
    cid = people["customer"]
    last_day = date.today() + timedelta(days=3)
    created = api_for(tenant, "rep").post(f"/customers/{cid}/shares", json={
        "user_id": people["mate"], "access": "read", "until": last_day.isoformat()})
    assert created.status_code == 201 and created.get_json()["until"] == last_day.isoformat()
    mate = api_for(tenant, "mate")
    with time_machine.travel(date.today() + timedelta(days=3, hours=12)):  # the last day counts
        assert mate.get(f"/customers/{cid}").status_code == 200
    with time_machine.travel(date.today() + timedelta(days=5)):
        assert mate.get(f"/customers/{cid}").status_code == 404
        assert mate.get("/customers").get_json()["total"] == 0
        assert "远航贸易" not in web(tenant, client_for, "mate").get("/customers/?q=远航").text
        listed = api_for(tenant, "rep").get(f"/customers/{cid}/shares").get_json()["items"]
        assert [(s["user_id"], s["active"]) for s in listed] == [(people["mate"], False)]


def test_a_past_day_is_refused_and_nothing_is_shared(tenant, client_for, api_for, people):
    rep = web(tenant, client_for, "rep")
    yesterday = (date.today() - timedelta(days=2)).isoformat()
    refused = share(rep, people["customer"], people["mate"], until=yesterday)
    assert refused.status_code == 422 and "Choose today or a later day" in refused.text
    nobody = share(rep, people["customer"], "", access="write")
    assert nobody.status_code == 422
    assert "Choose an active colleague" in nobody.text and "Choose read only or can edit." in nobody.text
    boss_sees_it = share(rep, people["customer"], people["boss"])
    assert boss_sees_it.status_code == 422 and "Boss already sees this customer." in boss_sees_it.text
    assert api_for(tenant, "rep").get(f"/customers/{people['customer']}/shares").get_json()["items"] == []
    assert api_for(tenant, "mate").get(f"/customers/{people['customer']}").status_code == 404


def test_departure_and_transfer_end_shares(tenant, client_for, api_for, people, factory):
    cid = people["customer"]
    second = factory.customer(tenant, people["rep"], name="第二个客户", phone="13900001111")
    rep = api_for(tenant, "rep")
    assert rep.post(f"/customers/{cid}/shares", json={"user_id": people["mate"]}).status_code == 201
    assert rep.post(f"/customers/{second}/shares", json={"user_id": people["third"]}).status_code == 201
    admin = api_for(tenant)
    assert admin.post(f"/staff/{people['mate']}/deactivate", json={"handover_to": people["third"]}).status_code == 200
    assert rep.get(f"/customers/{cid}/shares").get_json()["items"] == []
    assert api_for(tenant, "third").get(f"/customers/{cid}").status_code == 404  # mate's records went, not shares
    log = rep.get(f"/customers/{cid}/changes").get_json()["items"]
    assert (log[0]["action"], log[0]["subject"], log[0]["reason"]) == ("share_ended", "Mate", "Mate left the company")

    assert api_for(tenant, "third").get(f"/customers/{second}").status_code == 200
    assert api_for(tenant, "boss").post(f"/customers/{second}/transfer", json={"to": people["boss"]}).status_code == 200
    assert api_for(tenant, "third").get(f"/customers/{second}").status_code == 404
    log = api_for(tenant, "boss").get(f"/customers/{second}/changes").get_json()["items"]
    assert ("share_ended", "Third") in [(c["action"], c["subject"]) for c in log]


def test_the_share_panel_adds_lists_and_removes(tenant, client_for, people):
    cid = people["customer"]
    rep = web(tenant, client_for, "rep")
    assert f'hx-get="/customers/{cid}/shares"' in rep.get(f"/customers/{cid}").text  # loads with the page
    assert "Only its owner and those above them see this customer." in rep.get(f"/customers/{cid}/shares").text
    panel = share(rep, cid, people["mate"], access="edit").text
    assert "Mate" in panel and "Can edit" in panel and "No end" in panel
    share_id = panel.split('data-share-id="')[1].split('"')[0]
    mate = web(tenant, client_for, "mate")
    assert 'id="customer-shares"' not in mate.get(f"/customers/{cid}").text  # the panel is the sharers'
    assert mate.get(f"/customers/{cid}/shares").status_code == 403
    removed = rep.post(f"/customers/{cid}/shares/{share_id}/delete", headers=HX)
    assert removed.status_code == 200 and "no longer shared with Mate" in removed.text
    assert mate.get(f"/customers/{cid}").status_code == 404


def test_the_colleague_may_give_a_share_back(tenant, client_for, api_for, people):
    cid = people["customer"]
    share_id = api_for(tenant, "rep").post(f"/customers/{cid}/shares", json={"user_id": people["mate"]}
                                           ).get_json()["id"]
    third = api_for(tenant, "third")
    assert third.delete(f"/customers/{cid}/shares/{share_id}").status_code == 404  # cannot see it at all
    mate = web(tenant, client_for, "mate")
    given_back = mate.post(f"/customers/{cid}/shares/{share_id}/delete")
    assert given_back.status_code == 302
    assert mate.get(f"/customers/{cid}").status_code == 404


def test_a_read_share_shows_the_history_but_adds_nothing_to_it(tenant, client_for, api_for, people, factory):
    """The colleague reads the customer's follow-ups; a follow-up, a task, a deal or a file from a read-only
    share is refused by name and nothing is saved; an edit share may add a follow-up."""
    from tests.blueprints.activities.test_activities import follow_up

    cid = people["customer"]
    rep = web(tenant, client_for, "rep")
    follow_up(rep, cid, summary="首次拜访，谈了报价")
    assert share(rep, cid, people["mate"]).status_code == 200
    mate = web(tenant, client_for, "mate")
    timeline = mate.get(f"/activities/timeline?customer_id={cid}", headers=HX)
    assert timeline.status_code == 200 and "首次拜访，谈了报价" in timeline.text

    refused = follow_up(mate, cid, summary="同事的记录")
    assert "is shared with you to read only: ask its owner for edit access." in refused.text
    api = api_for(tenant, "mate")
    deal = api.post("/deals", json={"name": "同事的商机", "customer_id": cid, "amount": 5})
    assert deal.status_code == 422 and "read only" in deal.get_json()["errors"]["customer_id"][0]
    task = api.post("/tasks", json={"title": "回访", "due_at": "2030-01-01T10:00:00+08:00", "customer_id": cid})
    assert task.status_code == 422 and "read only" in task.get_json()["errors"]["customer_id"][0]
    upload = mate.post(f"/customers/{cid}/files", data={"file": (io.BytesIO(b"hello"), "a.txt")},
                       headers=HX, content_type="multipart/form-data")
    assert "read only" in upload.text
    owner_view = api_for(tenant, "rep")
    assert [d["name"] for d in owner_view.get(f"/deals?customer_id={cid}").get_json()["items"]] == []
    summaries = [a["summary"] for a in owner_view.get(f"/activities?customer_id={cid}").get_json()["items"]]
    assert summaries == ["首次拜访，谈了报价"]

    assert share(rep, cid, people["mate"], access="edit").status_code == 200
    follow_up(mate, cid, summary="同事的记录")
    summaries = [a["summary"] for a in owner_view.get(f"/activities?customer_id={cid}").get_json()["items"]]
    assert sorted(summaries) == sorted(["首次拜访，谈了报价", "同事的记录"])
