"""Issue 11.11, C12: a resident ID number (GB 11643, with its check character) is refused in every free text
of customers, contacts, deals and follow-ups, naming the field, in both languages; nothing is saved."""
import pytest

from crm_saas.core.validators import holds_resident_id
from tests.api_client import valid_customer

ID = "11010519491231002X"  # a well-formed number (the standard's own example shape); real ones are refused alike


@pytest.mark.parametrize("text,held", [
    (ID, True), (f"客户身份证{ID}，请核对", True), (ID.lower(), True), ("110105194912310021", False),  # bad check
    ("110105194913310029", False),  # no 13th month
    ("13800138000", False), ("订单号 123456789012345678", False), (f"A{ID}B", False), ("", False), (None, False),
])
def test_the_shape_the_date_and_the_check_character(text, held):
    assert holds_resident_id(text) is held


@pytest.mark.parametrize("field", ["name", "address", "remarks", "needs", "goals", "past_dealings", "industry_note"])
def test_customer_text_fields(admin_api, field):
    body = valid_customer(**{"industry": "other", "industry_note": "咨询", field: f"备注 {ID}"})
    response = admin_api.post("/customers", json=body)
    assert response.status_code == 422 and list(response.get_json()["errors"]) == [field], response.get_json()
    assert admin_api.get("/customers").get_json()["total"] == 0


@pytest.mark.parametrize("field", ["name", "title", "wechat"])
def test_contact_text_fields(admin_api, field):
    contact = {"name": "张三", "phone": "13800138000", "primary": True, field: ID}
    response = admin_api.post("/customers", json=valid_customer(contacts=[contact]))
    assert response.status_code == 422 and f"contacts.0.{field}" in response.get_json()["errors"]


def test_tags_and_custom_text(admin_api):
    assert admin_api.post("/custom-fields", json={"entity": "customer", "label": "证件备注", "key": "memo",
                                                 "type": "text"}).status_code == 201
    response = admin_api.post("/customers", json=valid_customer(tags=["VIP", ID], custom={"memo": ID}))
    errors = response.get_json()["errors"]
    assert response.status_code == 422 and {"tags.1", "custom.memo"} <= set(errors), errors
    assert "证件备注" in errors["custom.memo"][0]


def test_messages_name_the_field_in_chinese(admin_api):
    response = admin_api.post("/customers", json=valid_customer(remarks=ID), headers={"Accept-Language": "zh-CN"})
    assert response.get_json()["errors"]["remarks"] == ["备注：请勿填写身份证号码，本系统不保存身份证号码。"]
    english = admin_api.post("/customers", json=valid_customer(remarks=ID)).get_json()["errors"]["remarks"]
    assert english == ["Remarks: do not enter a resident ID number; the CRM keeps none."]


def test_the_customer_form_shows_it_beside_the_field(admin_client):
    from tests.conftest import customer_form

    page = admin_client.post("/customers/new", data=customer_form(remarks=ID), headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 422 and 'id="remarks-error"' in page.text and "请勿填写身份证号码" in page.text


@pytest.fixture
def customer_id(admin_api):
    return admin_api.post("/customers", json=valid_customer()).get_json()["id"]


@pytest.mark.parametrize("field", ["name", "key_actions"])
def test_deal_text(admin_api, customer_id, field):
    body = {"name": "商机", "customer_id": customer_id, field: f"见 {ID}"}
    response = admin_api.post("/deals", json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"], response.get_json()


def test_deal_products_and_lost_reason(admin_api, customer_id):
    lines = [{"name": f"服务 {ID}", "quantity": "1", "price": "10"}]
    response = admin_api.post("/deals", json={"name": "商机", "customer_id": customer_id, "products": lines})
    assert response.status_code == 422 and "products.0.name" in response.get_json()["errors"]
    deal = admin_api.post("/deals", json={"name": "商机", "customer_id": customer_id}).get_json()
    lost = next(s for s in admin_api.get("/pipelines").get_json()[0]["stages"] if s["kind"] == "lost")
    moved = admin_api.post(f"/deals/{deal['id']}/move", json={"stage_id": lost["id"], "lost_reason": ID})
    assert moved.status_code == 422 and list(moved.get_json()["errors"]) == ["lost_reason"]
    assert admin_api.get(f"/deals/{deal['id']}").get_json()["stage_id"] != lost["id"]


@pytest.mark.parametrize("field", ["participants", "summary", "feedback", "offer", "next_action"])
def test_follow_up_text(admin_api, customer_id, field):
    body = {"customer_id": customer_id, "type": "call", "summary": "电话沟通", "occurred_at": "2026-12-01T10:00:00+08:00",
            field: f"对方 {ID}"}
    response = admin_api.post("/activities", json=body)
    assert response.status_code == 422 and list(response.get_json()["errors"]) == [field], response.get_json()
    assert admin_api.get("/activities").get_json()["total"] == 0


def test_task_title(admin_api, customer_id):
    response = admin_api.post("/tasks", json={"title": f"核对 {ID}", "due_at": "2030-01-01T09:00:00+08:00"})
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["title"]
