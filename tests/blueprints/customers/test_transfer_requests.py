"""C8: a rep asks to transfer, a supervisor above them decides in the approval queue; bulk transfer from the list."""
import re

from tests.conftest import STAFF_PASSWORD, login


def team(tenant, factory):
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    peer = factory.user(tenant, "peer", role="supervisor", superior_id=admin)
    return {"admin": admin, "boss": boss, "peer": peer,
            "rep": factory.user(tenant, "rep", superior_id=boss), "mate": factory.user(tenant, "mate", superior_id=boss)}


def web(tenant, client_for, username):
    client = client_for(tenant)
    assert login(client, username, STAFF_PASSWORD).status_code == 302
    return client


def test_a_reps_request_waits_for_the_supervisor_then_is_carried_out(tenant, factory, client_for, api_for):
    people = team(tenant, factory)
    cid = factory.customer(tenant, people["rep"], name="请求转移的客户")
    deal = factory.deal(tenant, cid, people["rep"])
    rep = web(tenant, client_for, "rep")
    form = rep.get(f"/customers/{cid}/transfer")
    assert "Ask for approval" in form.text
    asked = rep.post(f"/customers/{cid}/transfer", data={"to": str(people["mate"]), "reason": "我要休假"})
    assert asked.status_code == 302
    assert "waits for approval" in rep.get(f"/customers/{cid}").text
    assert api_for(tenant, "rep").get(f"/customers/{cid}").get_json()["owner_id"] == people["rep"]

    assert "请求转移的客户" not in web(tenant, client_for, "peer").get("/approvals/").text  # another branch
    boss = web(tenant, client_for, "boss")
    queue = boss.get("/approvals/").text
    assert "请求转移的客户" in queue and "我要休假" in queue
    request_id = re.search(r'/approvals/transfers/(\d+)/approve', queue).group(1)
    assert boss.post(f"/approvals/transfers/{request_id}/approve", headers={"HX-Request": "true"}).status_code == 200
    assert api_for(tenant, "mate").get(f"/customers/{cid}").get_json()["owner_id"] == people["mate"]
    assert deal in [d["id"] for s in api_for(tenant, "mate").get(
        f"/pipelines/{api_for(tenant, 'mate').get('/pipelines').get_json()[0]['id']}/board").get_json()["stages"]
        for d in s["deals"]]
    assert boss.post(f"/approvals/transfers/{request_id}/approve").status_code == 404  # decided already
    log = api_for(tenant, "boss").get(f"/customers/{cid}/changes").get_json()["items"]
    assert [(c["action"], c["actor_name"], c["reason"]) for c in log][:2] == [
        ("transferred", "Boss", "我要休假"), ("transfer_requested", "Rep", "我要休假")]


def test_a_rejection_needs_a_reason_and_nothing_moves(tenant, factory, client_for, api_for):
    people = team(tenant, factory)
    cid = factory.customer(tenant, people["rep"])
    asked = api_for(tenant, "rep").post(f"/customers/{cid}/transfer", json={"to": people["mate"]}).get_json()
    boss = web(tenant, client_for, "boss")
    refused = boss.post(f"/approvals/transfers/{asked['id']}/reject", data={"note": ""},
                        headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "Reason for rejection is required." in refused.text
    assert boss.post(f"/approvals/transfers/{asked['id']}/reject", data={"note": "客户不同意"}).status_code == 302
    assert api_for(tenant, "rep").get(f"/customers/{cid}").get_json()["owner_id"] == people["rep"]
    log = api_for(tenant, "rep").get(f"/customers/{cid}/changes").get_json()["items"]
    assert (log[0]["action"], log[0]["reason"]) == ("transfer_rejected", "客户不同意")
    again = api_for(tenant, "rep").post(f"/customers/{cid}/transfer", json={"to": people["mate"]})
    assert again.status_code == 202  # decided, so a new request may be filed


def test_bulk_transfer_from_the_list(tenant, factory, client_for, api_for, admin_client):
    people = team(tenant, factory)
    ids = [factory.customer(tenant, people["rep"], name=f"批量{i}", phone=f"1380000000{i}") for i in range(3)]
    hidden = factory.customer(tenant, people["peer"], name="别的分支", phone="13800000009")
    boss = web(tenant, client_for, "boss")
    done = boss.post("/customers/bulk-transfer", headers={"HX-Request": "true"},
                     data={"ids": [str(i) for i in ids[:2]] + [str(hidden)], "to": str(people["mate"]),
                           "reason": "重新分配"})
    assert done.status_code == 200 and "2 customers transferred to Mate." in done.text
    owners = {c["id"]: c["owner_id"] for c in api_for(tenant, "boss").get("/customers").get_json()["items"]}
    assert (owners[ids[0]], owners[ids[1]], owners[ids[2]]) == (people["mate"], people["mate"], people["rep"])
    assert api_for(tenant, "peer").get(f"/customers/{hidden}").get_json()["owner_id"] == people["peer"]
    nobody = boss.post("/customers/bulk-transfer", data={"ids": [str(ids[2])], "to": ""})
    assert nobody.status_code == 422 and "Choose the colleague who takes over the customer." in nobody.text
    rep = web(tenant, client_for, "rep")
    asked = rep.post("/customers/bulk-transfer", data={"ids": [str(ids[2])], "to": str(people["mate"])})
    assert asked.status_code == 200 and "1 transfer waits for approval." in asked.text
