"""Customers through the API: the same rules as the form, the same visibility as the pages."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.api_client import valid_customer
from tests.conftest import customer_form


def test_create_returns_the_customer(admin_api):
    assert admin_api.post("/custom-fields", json={"entity": "customer", "key": "erp_id", "label": "ERP 编号",
                                                  "type": "text"}).status_code == 201
    data = valid_customer(
        type="intent", industry="other", industry_note="新能源", tags=["VIP", "华东"], province="上海市",
        city="上海市", district="浦东新区", address="世纪大道 1 号", custom={"erp_id": "E-42"},
        contacts=[
            {"name": "张三", "phone": "021-12345678", "email": "zhang@example.com", "role": "decision_maker",
             "primary": True},
            {"name": "李四", "title": "采购", "wechat": "lisi_wx", "role": "user", "primary": False},
        ],
    )
    response = admin_api.post("/customers", json=data)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["number"].startswith("CRM") and len(body["number"]) == 15
    assert body["owner_id"] == admin_api.get("/me").get_json()["id"]
    assert (body["type"], body["industry_note"], body["tags"]) == ("intent", "新能源", ["VIP", "华东"])
    assert body["custom"] == {"erp_id": "E-42"} and body["district"] == "浦东新区"
    assert datetime.fromisoformat(body["created_at"]).utcoffset() is not None
    assert [(c["name"], c["primary"], c["role"]) for c in body["contacts"]] == [
        ("张三", True, "decision_maker"), ("李四", False, "user"),
    ]
    assert admin_api.get(f"/customers/{body['id']}").get_json() == body


def test_type_defaults_to_potential_and_a_lone_contact_is_the_main_one(admin_api):
    data = valid_customer(contacts=[{"name": "王五", "phone": "13912345678"}])
    body = admin_api.post("/customers", json=data).get_json()
    assert body["type"] == "potential" and body["contacts"][0]["primary"] is True


def test_every_bad_field_is_named_and_nothing_is_saved(admin_api):
    data = {
        "name": "  ", "industry": "other", "type": "vip", "source": "tv", "owner_id": "me",
        "contacts": [
            {"name": "", "phone": "12345", "email": "not-an-email", "role": "boss", "primary": True},
            {"name": "B", "phone": "13800138000", "primary": "maybe"},
        ],
    }
    response = admin_api.post("/customers", json=data)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {
        "name", "industry_note", "type", "source", "owner_id", "contacts.0.name", "contacts.0.phone",
        "contacts.0.email", "contacts.0.role", "contacts.1.primary",
    }
    assert all(isinstance(m, str) and m for messages in errors.values() for m in messages)
    assert admin_api.get("/customers").get_json()["total"] == 0


def test_a_main_contact_is_required_and_only_one(admin_api):
    assert set(admin_api.post("/customers", json=valid_customer(contacts=[])).get_json()["errors"]) == {"contacts"}
    two = [{"name": "A", "phone": "13800138000", "primary": True}, {"name": "B", "phone": "13800138001", "primary": True}]
    assert set(admin_api.post("/customers", json=valid_customer(contacts=two)).get_json()["errors"]) == {"contacts"}
    empty = admin_api.post("/customers", json={}).get_json()["errors"]
    assert {"name", "industry", "source", "contacts"} <= set(empty)


def test_list_pages_and_caps_per_page(admin_api, tenant, factory):
    admin_id = factory.admin_id(tenant)
    for i in range(5):
        factory.customer(tenant, admin_id, name=f"客户{i}", phone=f"1380013800{i}")
    first = admin_api.get("/customers?per_page=2").get_json()
    assert (first["total"], first["page"], first["per_page"], len(first["items"])) == (5, 1, 2, 2)
    assert [c["name"] for c in first["items"]] == ["客户4", "客户3"]  # newest first
    last = admin_api.get("/customers?per_page=2&page=3").get_json()
    assert [c["name"] for c in last["items"]] == ["客户0"]
    assert admin_api.get("/customers?per_page=1000").get_json()["per_page"] == 200
    assert set(admin_api.get("/customers?page=0").get_json()["errors"]) == {"page"}
    assert admin_api.get("/customers?q=13800138003").get_json()["items"][0]["name"] == "客户3"


def test_list_filters(admin_api):
    admin_api.post("/customers", json=valid_customer(name="甲", industry="finance", tags=["vip"]))
    admin_api.post("/customers", json=valid_customer(name="乙", type="closed", source="exhibition"))
    names = lambda query: [c["name"] for c in admin_api.get(f"/customers?{query}").get_json()["items"]]  # noqa: E731
    assert names("industry=finance") == ["甲"]
    assert names("type=closed") == ["乙"]
    assert names("source=exhibition&type=closed") == ["乙"]
    assert names("tag=vip") == ["甲"]


def test_reps_see_only_their_own_and_supervisors_their_team(tenant, factory, api_for):
    admin_id = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin_id)
    rep_a = factory.user(tenant, "rep_a", superior_id=boss)
    factory.user(tenant, "rep_b", superior_id=boss)
    theirs = factory.customer(tenant, rep_a, name="A 的客户")

    rep_b = api_for(tenant, "rep_b")
    assert rep_b.get(f"/customers/{theirs}").status_code == 404
    assert rep_b.get("/customers").get_json()["total"] == 0
    assert api_for(tenant, "boss").get(f"/customers/{theirs}").status_code == 200
    assert api_for(tenant, "rep_a").get(f"/customers/{theirs}").status_code == 200


def test_owner_can_be_someone_managed_but_not_a_peer(tenant, factory, api_for):
    admin_id = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss2", role="supervisor", superior_id=admin_id)
    rep = factory.user(tenant, "rep_c", superior_id=boss)
    peer = factory.user(tenant, "peer", role="supervisor", superior_id=admin_id)
    api = api_for(tenant, "boss2")
    assert api.post("/customers", json=valid_customer(owner_id=rep)).get_json()["owner_id"] == rep
    refused = api.post("/customers", json=valid_customer(owner_id=peer))
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["owner_id"]


def test_another_companys_customer_is_404(make_tenant, factory, api_for):
    a, b = make_tenant("cus-a"), make_tenant("cus-b")
    theirs = factory.customer(a, factory.admin_id(a), name="Alpha")
    assert api_for(a).get(f"/customers/{theirs}").status_code == 200
    assert api_for(b).get(f"/customers/{theirs}").status_code == 404
    assert api_for(b).get("/customers?q=Alpha").get_json()["total"] == 0


def test_the_web_form_applies_the_same_rules_beside_its_fields(admin_client):
    response = admin_client.post("/customers/new", data=customer_form(
        name="", industry="other", industry_note="", source="", contacts=[{"name": "", "phone": "12345"}],
    ), headers={"Accept-Language": "en"})
    assert response.status_code == 422
    page = response.text
    for message in ("Customer name is required.", "Describe the industry when choosing Other.",
                    "Source is required.", "Contact name is required.",
                    "Contact phone: enter an 11-digit mobile number or a landline with area code."):
        assert message in page, message
    for field in ("name", "industry_note", "source", "contacts-0-name", "contacts-0-phone"):
        assert f'id="{field}-error"' in page, field  # beside its field, not in a summary
    saved = admin_client.post("/customers/new", data=customer_form(
        name="表单客户", industry="it", source="referral", contacts=[{"name": "赵六", "phone": "13800138000"}]))
    assert saved.status_code == 302


def test_patch_names_every_bad_field_and_changes_nothing(admin_api):
    first = admin_api.post("/customers", json=valid_customer()).get_json()
    other = admin_api.post("/customers", json=valid_customer(name="另一家", contacts=[
        {"name": "王", "phone": "13900000000"}])).get_json()
    response = admin_api.patch(f"/customers/{first['id']}", json={
        "name": "", "type": "vip", "number": "X1", "owner_id": other["owner_id"] + 1000, "tags": "not-a-list",
        "contacts": [{**other["contacts"][0]}], "reason": "x" * 501,
    })
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"name", "type", "number", "owner_id", "tags", "contacts.0.id",
                                                  "reason"}
    assert admin_api.get(f"/customers/{first['id']}").get_json() == first
    assert admin_api.get(f"/customers/{first['id']}/changes").get_json()["total"] == 1  # just "created"


def test_patch_of_a_hidden_customer_is_404(tenant, factory, api_for):
    admin = factory.admin_id(tenant)
    factory.user(tenant, "rep", superior_id=admin)
    hidden = factory.customer(tenant, admin)
    rep = api_for(tenant, "rep")
    assert rep.patch(f"/customers/{hidden}", json={"name": "改名"}).status_code == 404
    assert rep.get(f"/customers/{hidden}/changes").status_code == 404
    assert rep.delete(f"/customers/{hidden}").status_code == 404


def test_more_filters_and_sorts(tenant, factory, admin_api):
    admin_api.post("/custom-fields", json={"entity": "customer", "key": "level", "label": "级别", "type": "choice",
                                           "options": ["A", "B"]})
    admin_api.post("/custom-fields", json={"entity": "customer", "key": "budget", "label": "预算", "type": "number"})
    rows = [("北京甲", "北京市", "北京市", "朝阳区", ["vip", "north"], {"level": "A", "budget": 10}),
            ("上海乙", "上海市", "上海市", "浦东新区", ["vip"], {"level": "B", "budget": 500}),
            ("深圳丙", "广东省", "深圳市", "南山区", [], {"budget": 50})]
    for i, (name, province, city, district, tags, custom) in enumerate(rows):
        assert admin_api.post("/customers", json=valid_customer(
            name=name, province=province, city=city, district=district, tags=tags, custom=custom,
            contacts=[{"name": "联系人", "phone": f"1380000000{i}"}])).status_code == 201

    def names(query):
        response = admin_api.get(f"/customers?{query}")
        assert response.status_code == 200, response.get_json()
        return [c["name"] for c in response.get_json()["items"]]

    assert names("province=上海市") == ["上海乙"]
    assert names("city=深圳市&district=南山区") == ["深圳丙"]
    assert names("tag=vip&tag=north") == ["北京甲"]
    assert names("custom.level=B") == ["上海乙"]
    assert names("custom.budget.min=20&custom.budget.max=100") == ["深圳丙"]
    assert names("sort=name") == sorted(names("sort=-created_at"))
    assert names("sort=created_at") == ["北京甲", "上海乙", "深圳丙"]
    china_today = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the filter counts China's days
    assert len(names(f"created_from={china_today}&created_to={china_today}")) == 3
    assert names(f"created_from={china_today + timedelta(days=1)}") == []
    assert names("created_to=2000-01-01") == []
    assert set(admin_api.get("/customers?sort=colour").get_json()["errors"]) == {"sort"}
