"""POST /customers/bulk (API.md ``bulk``): one action on ids or on all that match filters, all or nothing."""
import pytest

from tests.api_client import run_export_here


@pytest.fixture
def company(tenant, factory):
    """admin > boss > rep (owns 东方一..三); admin > peer > far (owns 东方远方); boss sees rep's only."""
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    peer = factory.user(tenant, "peer", role="supervisor", superior_id=admin)
    rep = factory.user(tenant, "rep", superior_id=boss)
    far = factory.user(tenant, "far", superior_id=peer)
    mine = [factory.customer(tenant, rep, name=f"东方{n}", phone=f"1350000000{i}") for i, n in enumerate("一二三")]
    return {"boss": boss, "rep": rep, "far": far, "peer": peer, "mine": mine,
            "hidden": factory.customer(tenant, far, name="东方远方", phone="13500000009")}


def test_each_action_by_ids(tenant, api_for, company):
    boss = api_for(tenant, "boss")
    ids = company["mine"]
    tagged = boss.post("/customers/bulk", json={"action": "tag", "ids": ids, "tags": ["重点"]})
    assert tagged.status_code == 200 and tagged.get_json() == {"action": "tag", "count": 3, "changed": 3,
                                                               "unchanged": 0}
    again = boss.post("/customers/bulk", json={"action": "tag", "ids": ids, "tags": ["重点"]}).get_json()
    assert (again["changed"], again["unchanged"]) == (0, 3)
    assert boss.post("/customers/bulk", json={"action": "untag", "ids": ids[:1], "tags": ["重点"]}).status_code == 200
    assert [boss.get(f"/customers/{i}").get_json()["tags"] for i in ids] == [[], ["重点"], ["重点"]]

    shared = boss.post("/customers/bulk", json={"action": "share", "ids": ids, "user_id": company["far"],
                                                "access": "read"})
    assert shared.get_json() == {"action": "share", "count": 3}
    assert api_for(tenant, "far").get("/customers").get_json()["total"] == 4  # three shared and their own

    moved = boss.post("/customers/bulk", json={"action": "transfer", "ids": ids[:2] + [ids[2]], "to": company["boss"],
                                               "reason": "接手"})
    assert moved.get_json() == {"action": "transfer", "count": 3, "done": 3, "pending": 0, "skipped": 0}
    assert api_for(tenant, "far").get("/customers").get_json()["total"] == 1  # a transfer ends the shares

    gone = boss.post("/customers/bulk", json={"action": "delete", "ids": ids[:1], "reason": "作废"})
    assert gone.get_json() == {"action": "delete", "count": 1}
    assert boss.get(f"/customers/{ids[0]}").status_code == 404

    released = boss.post("/customers/bulk", json={"action": "release", "ids": ids[1:], "reason": "无意向"})
    assert released.status_code == 200 and released.get_json() == {"action": "release", "count": 2}
    assert boss.get("/customers").get_json()["total"] == 0


def test_a_reps_transfer_files_requests(tenant, api_for, company):
    rep = api_for(tenant, "rep")
    asked = rep.post("/customers/bulk", json={"action": "transfer", "ids": company["mine"], "to": company["far"]})
    assert asked.get_json() == {"action": "transfer", "count": 3, "done": 0, "pending": 3, "skipped": 0}
    twice = rep.post("/customers/bulk", json={"action": "transfer", "ids": company["mine"], "to": company["far"]})
    assert twice.status_code == 422 and "already waits for approval" in twice.get_json()["errors"]["ids"][0]


def test_filters_reach_only_what_the_caller_sees(tenant, api_for, company):
    boss = api_for(tenant, "boss")
    done = boss.post("/customers/bulk", json={"action": "tag", "filters": {"q": "东方"}, "tags": ["全部"]})
    assert done.get_json()["count"] == 3
    assert api_for(tenant, "far").get(f"/customers/{company['hidden']}").get_json()["tags"] == []
    one = boss.post("/customers/bulk", json={"action": "tag", "filters": {"q": "东方二"}, "tags": ["二"]})
    assert one.get_json()["count"] == 1
    nothing = boss.post("/customers/bulk", json={"action": "tag", "filters": {"q": "远方"}, "tags": ["x"]})
    assert nothing.status_code == 422 and list(nothing.get_json()["errors"]) == ["filters"]


def test_all_or_nothing(tenant, api_for, company, factory):
    boss = api_for(tenant, "boss")
    hidden = boss.post("/customers/bulk", json={"action": "tag", "ids": company["mine"] + [company["hidden"]],
                                                "tags": ["错"]})
    assert hidden.status_code == 422
    assert hidden.get_json()["errors"] == {"ids": ["1 of the chosen customers was not found: nothing was done."]}
    missing = boss.post("/customers/bulk", json={"action": "delete", "ids": company["mine"] + [10 ** 12]})
    assert missing.status_code == 422
    api_for(tenant, "far").post(f"/customers/{company['hidden']}/shares", json={"user_id": company["boss"]})
    refused = boss.post("/customers/bulk", json={"action": "tag", "ids": company["mine"] + [company["hidden"]],
                                                 "tags": ["错"]})
    assert refused.status_code == 422 and "东方远方" in refused.get_json()["errors"]["ids"][0]
    too_many = boss.post("/customers/bulk", json={"action": "tag", "ids": company["mine"],
                                                  "tags": [f"t{i}" for i in range(21)]})
    assert too_many.status_code == 422
    assert all(boss.get(f"/customers/{i}").get_json()["tags"] == [] for i in company["mine"])
    assert boss.get("/customers/recycle-bin").get_json()["total"] == 0
    no_reason = boss.post("/customers/bulk", json={"action": "release", "ids": company["mine"]})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["errors"]
    assert boss.get("/customers").get_json()["total"] == 4  # rep's three, and the one shared with boss


def test_bad_requests_name_the_field(tenant, api_for, company):
    boss = api_for(tenant, "boss")
    assert list(boss.post("/customers/bulk", json={"action": "paint", "ids": [1]}).get_json()["errors"]) == ["action"]
    both = boss.post("/customers/bulk", json={"action": "tag", "ids": [1], "filters": {}, "tags": ["x"]})
    assert list(both.get_json()["errors"]) == ["ids"]
    neither = boss.post("/customers/bulk", json={"action": "tag", "tags": ["x"]})
    assert list(neither.get_json()["errors"]) == ["ids"]
    nobody = boss.post("/customers/bulk", json={"action": "transfer", "ids": company["mine"]})
    assert list(nobody.get_json()["errors"]) == ["to"]
    rep = api_for(tenant, "rep")
    denied = rep.post("/customers/bulk", json={"action": "delete", "ids": company["mine"]})
    assert denied.status_code == 403 and "may not delete" in denied.get_json()["message"]


def test_export_answers_202_with_the_export(app, tenant, api_for, company):
    boss = api_for(tenant, "boss")
    started = boss.post("/customers/bulk", json={"action": "export", "ids": company["mine"][:2]})
    assert started.status_code == 202
    body = started.get_json()
    assert (body["kind"], body["status"]) == ("customers", "queued")
    assert run_export_here(app, tenant, body["id"]) == 2
    by_filter = boss.post("/customers/bulk", json={"action": "export", "filters": {"q": "东方"}}).get_json()
    assert run_export_here(app, tenant, by_filter["id"]) == 3  # rep's three; far's stays out
    assert api_for(tenant, "rep").post("/customers/bulk", json={"action": "export", "ids": company["mine"]}
                                       ).status_code == 403


def test_the_operation_is_documented(admin_api):
    document = admin_api.get("/openapi.json").get_json()
    post = document["paths"]["/api/v1/customers/bulk"]["post"]
    assert {"200", "202", "403", "422"} <= set(post["responses"])
    assert {"/api/v1/customers/{customer_id}/shares", "/api/v1/customers/{customer_id}/shares/{share_id}"} <= \
        set(document["paths"])
