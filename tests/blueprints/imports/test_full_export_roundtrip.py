"""I3's round trip: a company's full export, imported into an empty company (the same people and custom fields set
up, nothing else), reproduces its customers with all their contacts, its deals and its follow-ups."""
import io
import zipfile

from tests.api_client import run_export_here
from tests.blueprints.imports.helpers import imported, run_job

CUSTOM_FIELDS = [
    {"entity": "customer", "label": "预算", "key": "budget", "type": "number"},
    {"entity": "customer", "label": "客户级别", "key": "level", "type": "choice", "options": ["A", "B"]},
    {"entity": "customer", "label": "关注产品", "key": "products", "type": "multichoice", "options": ["CRM", "ERP"]},
    {"entity": "customer", "label": "重点客户", "key": "vip", "type": "bool"},
    {"entity": "customer", "label": "签约日期", "key": "signed_on", "type": "date"},
    {"entity": "deal", "label": "商机备注", "key": "notes", "type": "text"},
]
CUSTOMER_FIELDS = ("name", "industry", "industry_note", "type", "source", "size", "province", "city", "district",
                   "address", "tags", "remarks", "needs", "goals", "past_dealings", "custom", "status")
CONTACT_FIELDS = ("name", "title", "phone", "email", "wechat", "role", "primary")
DEAL_FIELDS = ("name", "amount", "expected_close", "probability", "key_actions", "custom")
ACTIVITY_FIELDS = ("type", "occurred_at", "duration_minutes", "participants", "summary", "feedback", "offer",
                   "next_action", "next_follow_up_at")


def set_up_people_and_fields(tenant, factory, api):
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin, name="王经理")
    rep = factory.user(tenant, "rep", superior_id=boss, name="小李")
    for field in CUSTOM_FIELDS:
        assert api.post("/custom-fields", json=field).status_code == 201
    return {"admin": admin, "boss": boss, "rep": rep}


def fill_source(api, people):
    def customer(**data):
        response = api.post("/customers", json=data)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    first = customer(
        name="远航贸易有限公司", industry="retail", type="intent", source="exhibition", size="21-100",
        province="上海市", city="上海市", district="浦东新区", address="世纪大道100号", tags=["重点", "华东"],
        remarks="老客户介绍", needs="库存管理", goals="年内上线", past_dealings="2023年采购过一次",
        owner_id=people["rep"], custom={"budget": 50000, "level": "A", "products": ["CRM", "ERP"], "vip": True,
                                        "signed_on": "2026-03-01"},
        contacts=[{"name": "王芳", "title": "采购经理", "phone": "13800138000", "email": "wang@example.com",
                   "wechat": "wangfang_88", "role": "decision_maker", "primary": True},
                  {"name": "陈工", "title": "技术主管", "phone": "021-66668888", "email": "chen@example.com",
                   "wechat": "chengong01", "role": "influencer"},
                  {"name": "刘秘书", "role": "user"}])  # no phone: only the main contact needs one
    second = customer(name="星河科技", industry="it", source="referral", owner_id=people["boss"],
                      contacts=[{"name": "李雷", "phone": "010-88886666", "primary": True},
                                {"name": "韩梅梅", "title": "助理", "phone": "13600136000"}])
    customer(name="华东制造厂", industry="other", industry_note="精密仪器", source="outbound",
                     contacts=[{"name": "赵六", "phone": "13900139000", "primary": True}])
    binned = customer(name="已删除的客户", industry="it", source="referral",
                      contacts=[{"name": "钱七", "phone": "13700137000", "primary": True}])
    assert api.delete(f"/customers/{binned}").status_code == 204
    stages = api.get("/pipelines").get_json()[0]["stages"]
    won = next(s for s in stages if s["kind"] == "won")
    deal = api.post("/deals", json={"customer_id": first, "name": "仓储系统一期", "amount": "12345.60",
                                    "expected_close": "2026-12-31", "probability": 40, "stage_id": stages[1]["id"],
                                    "owner_id": people["rep"], "key_actions": "演示方案",
                                    "custom": {"notes": "需要报价"}})
    assert deal.status_code == 201, deal.get_json()
    assert api.post("/deals", json={"customer_id": second, "name": "年度服务", "amount": "8000",
                                    "stage_id": won["id"]}).status_code == 201
    follow_ups = [
        {"customer_id": first, "deal_id": deal.get_json()["id"], "type": "call", "summary": "电话沟通需求",
         "occurred_at": "2026-11-20T10:30:00+08:00", "duration_minutes": 30, "participants": "王芳",
         "feedback": "有兴趣", "offer": "发送方案", "next_action": "上门演示",
         "next_follow_up_at": "2030-01-10T09:00:00+08:00"},
        {"customer_id": second, "type": "visit", "summary": "拜访", "occurred_at": "2026-11-25T14:00:00+08:00"},
    ]
    for follow_up in follow_ups:
        response = api.post("/activities", json=follow_up)
        assert response.status_code == 201, response.get_json()


def snapshot(api):
    """The company as a client reads it: customers by name, with their deals and follow-ups, people by username."""
    staff = {s["id"]: s["username"] for s in api.get("/staff", query_string={"per_page": 200}).get_json()["items"]}
    stages = {s["id"]: s["name"] for p in api.get("/pipelines").get_json() for s in p["stages"]}
    result = {}
    for item in api.get("/customers", query_string={"per_page": 200}).get_json()["items"]:
        deals = api.get("/deals", query_string={"customer_id": item["id"], "per_page": 200}).get_json()["items"]
        deal_names = {d["id"]: d["name"] for d in deals}
        activities = api.get("/activities", query_string={"customer_id": item["id"]}).get_json()["items"]
        result[item["name"]] = {
            **{k: item[k] for k in CUSTOMER_FIELDS}, "owner": staff[item["owner_id"]],
            "created_at": item["created_at"][:16],
            "contacts": [{k: c[k] for k in CONTACT_FIELDS} for c in item["contacts"]],
            "deals": sorted(({**{k: d[k] for k in DEAL_FIELDS}, "stage": stages[d["stage_id"]],
                              "owner": staff[d["owner_id"]]} for d in deals), key=lambda d: d["name"]),
            "follow_ups": sorted(({**{k: a[k] for k in ACTIVITY_FIELDS}, "deal": deal_names.get(a["deal_id"])}
                                  for a in activities), key=lambda a: a["occurred_at"]),
        }
    return result


def test_the_full_export_imports_back_into_an_empty_company(app, tenant, make_tenant, factory, api_for):
    source = api_for(tenant)
    people = set_up_people_and_fields(tenant, factory, source)
    fill_source(source, people)
    before = snapshot(source)
    assert set(before) == {"远航贸易有限公司", "星河科技", "华东制造厂"}

    export_id = source.post("/exports", json={"kind": "all"}).get_json()["id"]
    run_export_here(app, tenant, export_id)
    archive = zipfile.ZipFile(io.BytesIO(source.get(f"/exports/{export_id}/download").data))
    workbook = archive.read("data.xlsx")  # written in the admin's language (Chinese by default)

    empty = make_tenant()
    target = api_for(empty)
    set_up_people_and_fields(empty, factory, target)
    for kind in ("customers", "contacts", "deals", "activities"):
        batch = imported(target, workbook, name="全部数据.xlsx", kind=kind)
        assert batch["totals"]["errors"] == 0, target.get(f"/imports/{batch['id']}/errors").get_json()
        assert target.post(f"/imports/{batch['id']}/commit").status_code == 202
        run_job(app, empty, batch["id"])
        assert target.get(f"/imports/{batch['id']}").get_json()["status"] == "finished"

    after = snapshot(target)
    assert after == before
    assert after["远航贸易有限公司"]["follow_ups"][0]["deal"] == "仓储系统一期"
    assert after["远航贸易有限公司"]["contacts"][0]["phone"] == "13800138000"
    assert [(c["name"], c["primary"]) for c in after["远航贸易有限公司"]["contacts"]] == [
        ("王芳", True), ("陈工", False), ("刘秘书", False)]
    assert [c["name"] for c in after["星河科技"]["contacts"]] == ["李雷", "韩梅梅"]
