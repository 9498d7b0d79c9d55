"""C5: every rule names its field, beside the field on the page and by name in the API, in English and Chinese;
nothing is saved when anything fails.

The Chinese column is the field's name as a Chinese reader sees it: the message must name the field.
"""
import pytest

from tests.api_client import valid_customer
from tests.conftest import customer_form

TWO_CONTACTS = [{"name": "甲", "phone": "13800000001", "primary": True},
                {"name": "乙", "phone": "13800000002", "primary": True}]

# id, API body changes, form changes, API error key, form error id, English message, the field in Chinese
RULES = [
    ("name", {"name": " "}, {"name": " "}, "name", "name", "Customer name is required.", "客户名称"),
    ("name-long", {"name": "长" * 201}, {"name": "长" * 201}, "name", "name",
     "Customer name: at most 200 characters.", "客户名称"),
    ("industry", {"industry": ""}, {"industry": ""}, "industry", "industry", "Industry is required.",
     "行业"),
    ("industry-code", {"industry": "mining"}, {"industry": "mining"}, "industry", "industry",
     "Choose an industry from the list.", "行业"),
    ("industry-note", {"industry": "other"}, {"industry": "other"}, "industry_note", "industry_note",
     "Describe the industry when choosing Other.", "行业"),
    ("type", {"type": "vip"}, {"type": "vip"}, "type", "type", "Choose a customer type from the list.",
     "客户类型"),
    ("source", {"source": ""}, {"source": ""}, "source", "source", "Source is required.", "来源"),
    ("source-code", {"source": "tv"}, {"source": "tv"}, "source", "source", "Choose a source from the list.",
     "来源"),
    ("category", {"category": "金牌"}, {"category": "金牌"}, "category", "category",
     "Choose a category from the list", "分类"),
    ("address", {"address": "路" * 301}, {"address": "路" * 301}, "address", "address",
     "Street address: at most 300 characters.", "详细地址"),
    ("province", {"province": "火星省"}, {"province": "火星省"}, "province", "province",
     "Choose a province from the list.", "省"),
    ("city", {"province": "广东省", "city": "杭州市"}, {"province": "广东省", "city": "杭州市"}, "city", "city",
     "Choose a city of 广东省.", "城市"),
    ("district", {"district": "南山区"}, {"district": "南山区"}, "district", "district",
     "Choose the city first.", "城市"),
    ("tags", {"tags": [f"t{i}" for i in range(21)]}, {"new_tags": ",".join(f"t{i}" for i in range(21))}, "tags",
     "new_tags", "Tags: at most 20 per customer.", "标签"),
    ("tag-long", {"tags": ["标" * 41]}, {"new_tags": "标" * 41}, "tags.0", "new_tags",
     "Tags: at most 40 characters.", "标签"),
    ("contacts", {"contacts": []}, None, "contacts", None, "A main contact is required.", "主联系人"),
    ("two-main", {"contacts": TWO_CONTACTS}, None, "contacts", None,
     "Mark exactly one contact as the main contact.", "主联系人"),
    ("contact-name", {"contacts": [{"name": "", "phone": "13800138000"}]},
     {"contacts-0-name": ""}, "contacts.0.name", "contacts-0-name", "Contact name is required.", "联系人姓名"),
    ("phone", {"contacts": [{"name": "张三", "phone": ""}]}, {"contacts-0-phone": ""}, "contacts.0.phone",
     "contacts-0-phone", "Contact phone is required.", "联系电话"),
    ("phone-format", {"contacts": [{"name": "张三", "phone": "12345"}]}, {"contacts-0-phone": "12345"},
     "contacts.0.phone", "contacts-0-phone", "Contact phone: enter an 11-digit mobile number",
     "联系电话"),
    ("email", {"contacts": [{"name": "张三", "phone": "13800138000", "email": "zhang@"}]},
     {"contacts-0-email": "zhang@"}, "contacts.0.email", "contacts-0-email", "Contact email: enter a valid address",
     "邮箱"),
    ("wechat", {"contacts": [{"name": "张三", "phone": "13800138000", "wechat": "1abc"}]},
     {"contacts-0-wechat": "1abc"}, "contacts.0.wechat", "contacts-0-wechat", "WeChat: enter an ID of 6-20",
     "微信"),
    ("role", {"contacts": [{"name": "张三", "phone": "13800138000", "role": "boss"}]},
     {"contacts-0-role": "boss"}, "contacts.0.role", "contacts-0-role", "Choose a contact role from the list",
     "角色"),
    ("custom-required", {}, {}, "custom.level", "custom-level", "客户级别 is required.", "客户级别不能为空"),
    ("custom-number", {"custom": {"level": "A", "budget": "很多"}}, {"custom-level": "A", "custom-budget": "很多"},
     "custom.budget", "custom-budget", "预算: enter a number.", "预算：请输入数字"),
]
GOOD_CUSTOM = {"custom": {"level": "A"}}
LANGUAGES = [("en", 5), ("zh-CN", 6)]


@pytest.fixture
def fields_defined(admin_api):
    for field in ({"entity": "customer", "key": "level", "label": "客户级别", "type": "choice",
                   "options": ["A", "B"], "required": True},
                  {"entity": "customer", "key": "budget", "label": "预算", "type": "number"}):
        assert admin_api.post("/custom-fields", json=field).status_code == 201
    return admin_api


def count(admin_api):
    return admin_api.get("/customers").get_json()["total"]


@pytest.mark.parametrize("language,message_at", LANGUAGES)
@pytest.mark.parametrize("rule", RULES, ids=[r[0] for r in RULES])
def test_the_api_names_the_field(fields_defined, rule, language, message_at):
    body = {**valid_customer(), **GOOD_CUSTOM, **rule[1]}
    if rule[0] == "custom-required":
        body.pop("custom")
    response = fields_defined.post("/customers", json=body, headers={"Accept-Language": language})
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert list(errors) == [rule[3]], errors
    assert rule[message_at] in " ".join(errors[rule[3]])
    if language != "en":
        assert rule[5] not in " ".join(errors[rule[3]])  # translated, not the English fallback
    assert count(fields_defined) == 0


FORM_RULES = [r for r in RULES if r[2] is not None]


@pytest.mark.parametrize("language,message_at", LANGUAGES)
@pytest.mark.parametrize("rule", FORM_RULES, ids=[r[0] for r in FORM_RULES])
def test_the_page_shows_the_message_beside_its_field(fields_defined, admin_client, rule, language, message_at):
    data = {**customer_form(contacts=[{"name": "张三", "phone": "13800138000"}]), "custom-level": "A", **rule[2]}
    if rule[0] == "custom-required":
        data.pop("custom-level")
    response = admin_client.post("/customers/new", data=data, headers={"Accept-Language": language})
    assert response.status_code == 422
    page = response.text
    assert f'id="{rule[4]}-error"' in page, rule[4]
    beside = page[page.index(f'id="{rule[4]}-error"'):]
    message = beside[:beside.index("</small>")]
    assert rule[message_at] in message
    if language != "en":
        assert rule[5] not in message
    assert count(fields_defined) == 0


def test_the_web_form_needs_a_main_contact(admin_client, admin_api):
    response = admin_client.post("/customers/new", data=customer_form(primary=5))
    assert response.status_code == 422 and "Mark exactly one contact as the main contact." in response.text
    assert count(admin_api) == 0


def test_valid_input_in_every_field_saves(fields_defined):
    body = valid_customer(
        category=None, size="101-500", province="广东省", city="深圳市", district="南山区", tags=["重点"],
        custom={"level": "B", "budget": "120000.5"},
        contacts=[{"name": "张三", "phone": "+86 138 0013 8000", "email": "z@example.cn", "wechat": "zhang_san1",
                   "role": "influencer", "primary": True},
                  {"name": "李四", "phone": "0755-88889999-123", "wechat": "13912345678", "primary": False}])
    response = fields_defined.post("/customers", json=body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["custom"] == {"level": "B", "budget": 120000.5}
