"""C7: the change log holds every change, whichever way it was made: the page, the API, a transfer, a merge."""
import re

from tests.api_client import valid_customer
from tests.conftest import customer_form


def changes(api, customer_id):
    body = api.get(f"/customers/{customer_id}/changes?per_page=200").get_json()
    return [(c["action"], c["field"], c["old"], c["new"], c["reason"], c["actor_name"]) for c in body["items"]]


def test_an_api_patch_logs_every_field_contact_and_custom_value(admin_api):
    admin_api.post("/custom-fields", json={"entity": "customer", "key": "budget", "label": "预算", "type": "number"})
    created = admin_api.post("/customers", json=valid_customer(
        tags=["老客户"], custom={"budget": 100},
        contacts=[{"name": "张三", "phone": "13800138000", "primary": True},
                  {"name": "李四", "phone": "13900139000", "primary": False}])).get_json()
    cid = created["id"]
    zhang, li = created["contacts"]
    response = admin_api.patch(f"/customers/{cid}", json={
        "name": "上海测试科技股份有限公司", "type": "intent", "tags": ["老客户", "华东"], "custom": {"budget": 250},
        "province": "上海市", "city": "上海市", "district": "徐汇区", "reason": "年度复核",
        "contacts": [{**zhang, "phone": "13800138001", "primary": False},
                     {**li, "primary": True},
                     {"name": "王五", "phone": "13700137000", "role": "user", "primary": False}],
    })
    assert response.status_code == 200, response.get_json()
    log = changes(admin_api, cid)
    edited = [(field, old, new) for action, field, old, new, reason, _who in log if action == "updated"]
    expected = [("name", "上海测试科技有限公司", "上海测试科技股份有限公司"), ("type", "potential", "intent"),
            ("tags", ["老客户"], ["老客户", "华东"]), ("custom.budget", 100, 250),
            ("province", None, "上海市"), ("city", None, "上海市"), ("district", None, "徐汇区"),
            ("contact.phone", "13800138000", "13800138001"), ("contact.primary", True, False),
            ("contact.primary", False, True)]
    assert [change for change in expected if change not in edited] == []
    added = [new for action, field, _o, new, _r, _w in log if field == "contact.added"]
    assert [c["name"] for c in added] == ["王五"]
    assert {reason for action, *_rest, reason, _who in log if action == "updated"} == {"年度复核"}
    assert log[-1][0] == "created"  # oldest last
    nothing = admin_api.patch(f"/customers/{cid}", json={"name": "上海测试科技股份有限公司"})
    assert nothing.status_code == 200 and len(changes(admin_api, cid)) == len(log)  # no change, no entry


def test_removing_a_contact_is_logged_with_what_it_held(admin_api):
    created = admin_api.post("/customers", json=valid_customer(contacts=[
        {"name": "张三", "phone": "13800138000", "primary": True},
        {"name": "李四", "phone": "13900139000", "title": "采购", "primary": False}])).get_json()
    admin_api.patch(f"/customers/{created['id']}", json={"contacts": [created["contacts"][0]], "reason": "离职"})
    removed = [(old, reason) for _a, field, old, _n, reason, _w in changes(admin_api, created["id"])
               if field == "contact.removed"]
    assert removed == [({"name": "李四", "title": "采购", "phone": "13900139000", "email": None, "wechat": None,
                          "role": None, "primary": False}, "离职")]


def test_edits_through_the_page_are_logged_with_their_reason(tenant, admin_client, admin_api):
    saved = admin_client.post("/customers/new", data=customer_form(name="页面客户有限公司"))
    cid = int(saved.location.rsplit("/", 1)[1])
    form = admin_client.get(f"/customers/{cid}/edit").text
    contact_id = re.search(r'name="contacts-0-id"[^>]*value="(\d+)"', form).group(1)
    admin_client.post(f"/customers/{cid}/edit", data=customer_form(
        name="页面客户有限公司", remarks="新备注", size="1-20", new_tags="展会", reason="补充资料",
        contacts=[{"id": contact_id, "name": "王芳", "phone": "010-88886666", "email": "wf@example.com"}]))
    log = changes(admin_api, cid)
    edited = sorted(((f, o, n, r) for a, f, o, n, r, _w in log if a == "updated"), key=str)
    assert edited == sorted([("remarks", None, "新备注", "补充资料"), ("size", None, "1-20", "补充资料"),
                             ("tags", [], ["展会"], "补充资料"), ("contact.email", None, "wf@example.com", "补充资料")],
                            key=str)


def test_transfers_are_in_the_change_log(tenant, factory, admin_api, api_for):
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    rep = factory.user(tenant, "rep", superior_id=boss)
    other = factory.user(tenant, "other", superior_id=boss)
    cid = factory.customer(tenant, rep)
    assert admin_api.post(f"/customers/{cid}/transfer", json={"to": other, "reason": "调区"}).status_code == 200
    asked = api_for(tenant, "other").post(f"/customers/{cid}/transfer", json={"to": rep, "reason": "还回去"})
    assert asked.status_code == 202
    log = changes(admin_api, cid)
    assert [(a, f, o, n, r, w) for a, f, o, n, r, w in log if a.startswith("transfer")] == [
        ("transfer_requested", "owner_id", "Other", "Rep", "还回去", "Other"),
        ("transferred", "owner_id", "Rep", "Other", "调区", "Admin"),
    ]


def test_deleting_a_custom_field_keeps_its_values_in_the_change_log(admin_api):
    field = admin_api.post("/custom-fields", json={"entity": "customer", "key": "grade", "label": "等级",
                                                   "type": "choice", "options": ["金", "银"]}).get_json()
    cid = admin_api.post("/customers", json=valid_customer(custom={"grade": "金"})).get_json()["id"]
    assert admin_api.delete(f"/custom-fields/{field['id']}").status_code == 204
    assert admin_api.get(f"/customers/{cid}").get_json()["custom"] == {}
    log = admin_api.get(f"/customers/{cid}/changes").get_json()["items"]
    assert [(c["action"], c["field"], c["label"], c["old"]) for c in log if c["action"] == "field_deleted"] == [
        ("field_deleted", "custom.grade", "等级", "金")]
