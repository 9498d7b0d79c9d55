"""Bulk actions from the customer list (I2): tick rows or take all that match, then transfer, share, tag, untag,
release, delete or export; every action is all or nothing and logged on each customer."""
import io
import re

import pytest
from openpyxl import load_workbook

from tests.api_client import run_export_here
from tests.conftest import STAFF_PASSWORD, login

HX = {"HX-Request": "true"}


@pytest.fixture
def company(tenant, factory):
    """admin > boss > rep (owns 北辰一号..三号); admin > peer > far (owns 北辰远方, out of boss's sight)."""
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    peer = factory.user(tenant, "peer", role="supervisor", superior_id=admin)
    rep = factory.user(tenant, "rep", superior_id=boss)
    mate = factory.user(tenant, "mate", superior_id=boss)
    far = factory.user(tenant, "far", superior_id=peer)
    mine = [factory.customer(tenant, rep, name=f"北辰{n}号", phone=f"1390000000{i}")
            for i, n in enumerate(("一", "二", "三"))]
    hidden = factory.customer(tenant, far, name="北辰远方", phone="13900000009")
    return {"admin": admin, "boss": boss, "peer": peer, "rep": rep, "mate": mate, "far": far, "mine": mine,
            "hidden": hidden}


def web(tenant, client_for, username):
    client = client_for(tenant)
    assert login(client, username, STAFF_PASSWORD).status_code == 302
    return client


def act(client, action, ids=None, scope="ids", **fields):
    data = {"scope": scope, **{k: str(v) for k, v in fields.items()}}
    if ids is not None:
        data["ids"] = [str(i) for i in ids]
    return client.post(f"/customers/bulk/{action}", data=data, headers=HX)


def customer(api, cid):
    return api.get(f"/customers/{cid}").get_json()


def test_the_list_offers_the_selection_bar_and_each_dialog(tenant, client_for, company, factory):
    for i in range(30):
        factory.customer(tenant, company["rep"], name=f"批量客户{i:02d}", phone=f"1370000{i:04d}")
    boss = web(tenant, client_for, "boss")
    page = boss.get("/customers/?per_page=25").text
    assert 'id="bulk-selection"' in page and 'data-bulk-page' in page
    assert "Select all 33 matching" in page  # rep's 33, never far's
    assert len(re.findall(r'name="ids" value="\d+" form="bulk-selection"', page)) == 25
    assert 'data-bulk-action="delete"' in page
    rep = web(tenant, client_for, "rep")
    assert 'data-bulk-action="delete"' not in rep.get("/customers/").text  # reps may not delete by default
    assert rep.get("/customers/bulk/delete/dialog").status_code == 404
    dialog = boss.get("/customers/bulk/transfer/dialog", headers=HX).text
    assert 'name="to"' in dialog and 'hx-include="#bulk-selection, #customer-filters"' in dialog
    assert "Tags, separated by commas" in boss.get("/customers/bulk/tag/dialog").text


def test_transfer_moves_every_ticked_customer_and_logs_each(tenant, client_for, api_for, company):
    boss = web(tenant, client_for, "boss")
    done = act(boss, "transfer", company["mine"][:2], to=company["mate"], reason="调整区域")
    assert done.status_code == 200 and "2 customers transferred." in done.text
    api = api_for(tenant, "boss")
    assert [customer(api, c)["owner_id"] for c in company["mine"]] == [company["mate"]] * 2 + [company["rep"]]
    for cid in company["mine"][:2]:
        log = api.get(f"/customers/{cid}/changes").get_json()["items"]
        assert (log[0]["action"], log[0]["reason"]) == ("transferred", "调整区域")


def test_one_hidden_id_refuses_the_whole_action(tenant, client_for, api_for, company):
    boss = web(tenant, client_for, "boss")
    refused = act(boss, "tag", company["mine"] + [company["hidden"]], bulk_tags="重点")
    assert refused.status_code == 422
    assert "1 of the chosen customers was not found: nothing was done." in refused.text
    assert "北辰远方" not in refused.text  # counted, never named
    assert all(customer(api_for(tenant, "boss"), c)["tags"] == [] for c in company["mine"])
    assert customer(api_for(tenant, "far"), company["hidden"])["tags"] == []
    assert len(re.findall(r'form="bulk-selection" checked', refused.text)) == 3  # still ticked, to fix and resend


def test_tag_and_untag_change_only_what_they_say(tenant, client_for, api_for, company):
    boss = web(tenant, client_for, "boss")
    tagged = act(boss, "tag", company["mine"], bulk_tags="重点, 华东")
    assert tagged.status_code == 200 and "Tags added to 3 customers." in tagged.text
    api = api_for(tenant, "boss")
    assert all(customer(api, c)["tags"] == ["重点", "华东"] for c in company["mine"])
    assert act(boss, "untag", company["mine"][:1], bulk_tags="重点").status_code == 200
    assert customer(api, company["mine"][0])["tags"] == ["华东"]
    log = api.get(f"/customers/{company['mine'][0]}/changes").get_json()["items"]
    assert [(c["field"], c["old"], c["new"]) for c in log[:2]] == [
        ("tags", ["重点", "华东"], ["华东"]), ("tags", [], ["重点", "华东"])]
    empty = act(boss, "tag", company["mine"], bulk_tags=" , ")
    assert empty.status_code == 422 and "Enter at least one tag." in empty.text


def test_all_matching_stays_inside_what_the_supervisor_sees(tenant, client_for, api_for, company):
    """"All that match 北辰" for boss is rep's three: far's 北辰远方 matches the words but not the rule."""
    boss = web(tenant, client_for, "boss")
    done = boss.post("/customers/bulk/tag", headers=HX, data={"scope": "filter", "q": "北辰", "bulk_tags": "全选"})
    assert done.status_code == 200 and "Tags added to 3 customers." in done.text
    assert customer(api_for(tenant, "far"), company["hidden"])["tags"] == []
    assert all(customer(api_for(tenant, "boss"), c)["tags"] == ["全选"] for c in company["mine"])
    narrowed = boss.post("/customers/bulk/tag", headers=HX, data={"scope": "filter", "q": "北辰一", "bulk_tags": "一"})
    assert "Tags added to 1 customer." in narrowed.text
    nothing = boss.post("/customers/bulk/tag", headers=HX, data={"scope": "filter", "q": "远方", "bulk_tags": "x"})
    assert nothing.status_code == 422 and "No customers are selected." in nothing.text


def test_a_read_share_in_the_selection_refuses_it_by_name(tenant, client_for, api_for, company):
    api_for(tenant, "far").post(f"/customers/{company['hidden']}/shares", json={"user_id": company["boss"]})
    boss = web(tenant, client_for, "boss")
    refused = act(boss, "tag", company["mine"] + [company["hidden"]], bulk_tags="重点")
    assert refused.status_code == 422 and "Shared with you to read only: 北辰远方. Nothing was changed." in refused.text
    assert all(customer(api_for(tenant, "boss"), c)["tags"] == [] for c in company["mine"])
    moved = act(boss, "transfer", [company["hidden"]], to=company["boss"])
    assert moved.status_code == 422 and "not yours to hand on" in moved.text
    assert customer(api_for(tenant, "far"), company["hidden"])["owner_id"] == company["far"]


def test_share_many_with_one_colleague(tenant, client_for, api_for, company):
    boss = web(tenant, client_for, "boss")
    done = act(boss, "share", company["mine"][:2], user_id=company["far"], access="edit")
    assert done.status_code == 200 and "2 customers shared." in done.text
    far = api_for(tenant, "far")
    assert sorted(c["id"] for c in far.get("/customers").get_json()["items"] if c["shared"] == "edit") == \
        sorted(company["mine"][:2])
    assert far.get(f"/customers/{company['mine'][2]}").status_code == 404


def test_delete_needs_the_right_and_sends_all_to_the_bin(tenant, client_for, api_for, company):
    refused = act(web(tenant, client_for, "rep"), "delete", company["mine"])
    assert refused.status_code == 403 and "may not delete customers" in refused.text
    assert api_for(tenant).get("/customers/recycle-bin").get_json()["total"] == 0
    done = act(web(tenant, client_for, "boss"), "delete", company["mine"][:2], reason="重复录入")
    assert done.status_code == 200 and "2 customers moved to the recycle bin." in done.text
    bin_ids = [c["id"] for c in api_for(tenant).get("/customers/recycle-bin").get_json()["items"]]
    assert sorted(bin_ids) == sorted(company["mine"][:2])
    assert api_for(tenant).post(f"/customers/{company['mine'][0]}/restore").status_code == 200
    log = api_for(tenant).get(f"/customers/{company['mine'][0]}/changes").get_json()["items"]
    assert [(c["action"], c["reason"]) for c in log[:2]] == [("restored", None), ("deleted", "重复录入")]


def test_release_sends_them_to_the_pool_with_the_reason(tenant, client_for, api_for, company, factory):
    api_for(tenant, "rep").post(f"/customers/{company['mine'][0]}/shares", json={"user_id": company["far"]})
    boss = web(tenant, client_for, "boss")
    no_reason = act(boss, "release", company["mine"][:2])
    assert no_reason.status_code == 422
    assert customer(api_for(tenant, "boss"), company["mine"][0])["owner_id"] == company["rep"]
    done = act(boss, "release", company["mine"][:2], reason="长期未跟进")
    assert done.status_code == 200 and "2 customers released to the pool." in done.text
    assert api_for(tenant, "boss").get(f"/customers/{company['mine'][0]}").status_code == 404  # in the pool now

    def shares_left():
        from sqlalchemy import func, select

        from crm_saas.blueprints.customers.models import CustomerShare
        from crm_saas.extensions import db

        return db.session.scalar(select(func.count()).select_from(CustomerShare))

    assert factory._run(tenant, shares_left) == 0  # the share ended with the owner's hold, logged


def test_export_of_the_ticked_rows_writes_just_those(app, tenant, client_for, company):
    boss = web(tenant, client_for, "boss")
    started = act(boss, "export", company["mine"][1:])
    assert started.status_code == 200 and 'id="export-progress"' in started.text
    export_id = int(re.search(r"/exports/(\d+)", started.text).group(1))
    assert run_export_here(app, tenant, export_id) == 2
    download = boss.get(f"/exports/{export_id}/download")
    names = [row[1] for row in list(load_workbook(io.BytesIO(download.data)).active.values)[1:]]
    assert sorted(names) == ["北辰三号", "北辰二号"]
