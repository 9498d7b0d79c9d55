"""The dry run: every row judged by the customer rules, each problem naming its row and field, duplicates found
in the file and in the company, in either language, from xlsx or a GBK csv; and nothing saved."""
from tests.api_client import change_setting
from tests.blueprints.imports.helpers import EN_HEADERS, ZH_HEADERS, csv_bytes, imported, upload, xlsx_bytes

GOOD = ["C001", "上海远航贸易有限公司", "Retail and trade", "Exhibition", "上海", "上海市", "", "王芳", "13800138000",
        "wang@example.com", "VIP, 重点"]


def _rows():
    """A good row, every kind of bad row, and duplicates (of the file's first row, and of a customer in the CRM)."""
    return [
        EN_HEADERS,
        GOOD,                                                                                   # 2 good
        ["C002", "", "it", "referral", "", "", "", "李强", "13800138001", "", ""],               # 3 no name
        ["C003", "北京一号科技", "it", "referral", "", "", "", "赵六", "12345", "", ""],          # 4 bad phone
        ["C004", "北京二号科技", "spaceships", "referral", "", "", "", "钱七", "13800138003", "", ""],  # 5 bad industry
        ["C005", "北京三号科技", "it", "referral", "", "", "nobody", "孙八", "13800138004", "", ""],  # 6 unknown owner
        ["C006", "北京四号科技", "it", "referral", "火星省", "", "", "周九", "13800138005", "", ""],  # 7 bad province
        ["C007", "北京五号科技", "it", "referral", "", "", "", "吴十", "", "not-an-email", ""],     # 8 phone and email
        ["C008", "上海远航贸易（有限公司）", "it", "referral", "", "", "", "郑一", "13800138009", "", ""],  # 9 dup of 2
        ["C009", "深圳老客户有限公司", "it", "referral", "", "", "", "冯二", "13900000000", "", ""],  # 10 dup in CRM
        ["C010", "广州新客户", "finance", "online_inquiry", "广东", "广州", "", "陈三", "020-88886666", "", ""],  # 11 good
    ]


def _count_customers(admin_api):
    return admin_api.get("/customers").get_json()["total"]


def test_every_bad_row_is_named_by_row_and_field_and_nothing_is_saved(admin_api, factory, tenant):
    factory.customer(tenant, factory.admin_id(tenant), name="深圳老客户有限公司", phone="13911111111")
    before = _count_customers(admin_api)
    body = imported(admin_api, xlsx_bytes({"Customers": _rows()}))

    assert body["status"] == "validated"
    assert body["totals"] == {"rows": 10, "valid": 4, "errors": 6, "duplicates": 2, "created": 0, "updated": 0,
                              "skipped": 0}
    errors = admin_api.get(f"/imports/{body['id']}/errors").get_json()
    found = {(e["row"], e["field"]) for e in errors["items"]}
    assert found == {(3, "name"), (4, "contact_phone"), (5, "industry"), (6, "owner"), (7, "province"),
                     (8, "contact_phone"), (8, "contact_email")}
    messages = {(e["row"], e["field"]): e["message"] for e in errors["items"]}
    assert messages[(3, "name")].startswith("Row 3 Customer name:")
    assert "nobody" in messages[(6, "owner")]
    assert _count_customers(admin_api) == before  # a dry run saves no customer


def test_duplicates_are_named_when_visible(admin_api, admin_client, factory, tenant):
    factory.customer(tenant, factory.admin_id(tenant), name="深圳老客户有限公司", phone="13911111111")
    body = imported(admin_api, xlsx_bytes({"Customers": _rows()}))
    page = admin_client.get(f"/imports/{body['id']}").get_data(as_text=True)
    assert "Same name, phone or customer ID as row 2." in page  # 上海远航贸易（有限公司） folds to row 2's name
    assert "深圳老客户有限公司" in page and "Already in the CRM" in page


def test_chinese_headers_and_a_chinese_reader(admin_api, tenant):
    rows = [ZH_HEADERS,
            ["C001", "杭州西湖贸易有限公司", "零售", "展会", "浙江", "杭州", "", "王芳", "13800138000", "", ""],
            ["C002", "杭州东湖贸易有限公司", "金融", "展会", "", "", "", "李强", "", "", ""]]
    body = upload(admin_api, xlsx_bytes({"客户信息表": rows})).get_json()
    assert body["mapping"] == {"客户ID": "customer_ref", "客户名称": "name", "行业": "industry", "来源": "source",
                               "省份": "province", "城市": "city", "负责人": "owner", "联系人": "contact_name",
                               "联系电话": "contact_phone", "邮箱": "contact_email", "标签": "tags"}
    checked = admin_api.post(f"/imports/{body['id']}/validate", headers={"Accept-Language": "zh-CN"}).get_json()
    assert checked["totals"]["valid"] == 1 and checked["totals"]["errors"] == 1
    error = admin_api.get(f"/imports/{body['id']}/errors").get_json()["items"][0]
    assert error["row"] == 3 and error["field"] == "contact_phone"
    assert "联系电话" in error["message"] and "不能为空" in error["message"]  # "第 3 行 联系电话：不能为空"
    assert error["message"].count("联系电话") == 1


def test_gbk_csv_is_read(admin_api):
    rows = [ZH_HEADERS, ["C1", "成都天府贸易有限公司", "零售商贸", "转介绍", "四川省", "成都市", "", "张伟",
                         "13800138000", "", "老客户"]]
    for encoding in ("gbk", "gb18030", "utf-8-sig", "utf-8"):
        body = imported(admin_api, csv_bytes(rows, encoding), name="客户.csv")
        assert body["columns"] == ZH_HEADERS, encoding
        assert body["totals"]["valid"] == 1, (encoding, body["totals"])


def test_a_rep_does_not_learn_the_names_of_customers_they_cannot_see(app, tenant, factory, api_for, client_for):
    from tests.conftest import ADMIN_PASSWORD, STAFF_PASSWORD, login

    change_setting(factory, tenant, "role_permissions", lambda value: {**value, "rep": ["import_customers"]})
    admin_id = factory.admin_id(tenant)
    factory.customer(tenant, admin_id, name="秘密大客户有限公司", phone="13700000000")
    factory.user(tenant, "rep_a", superior_id=admin_id)
    rep = api_for(tenant, "rep_a")
    rows = [EN_HEADERS, ["", "秘密大客户 有限公司", "it", "referral", "", "", "", "王五", "13600000000", "", ""]]
    body = imported(rep, xlsx_bytes({"Customers": rows}))
    assert body["totals"]["duplicates"] == 1  # the same name, folded
    client = client_for(tenant)
    login(client, "rep_a", STAFF_PASSWORD)
    page = client.get(f"/imports/{body['id']}").get_data(as_text=True)
    assert "1 customer you cannot see has the same name, phone or customer ID." in page
    assert "秘密大客户有限公司" not in page and "13700000000" not in page and "CRM20" not in page
    admin_page = client_for(tenant)
    login(admin_page, "admin", ADMIN_PASSWORD)
    admin_body = imported(api_for(tenant), xlsx_bytes({"Customers": rows}))
    assert "秘密大客户有限公司" in admin_page.get(f"/imports/{admin_body['id']}").get_data(as_text=True)


def test_required_fields_missing_from_the_file_can_take_a_default(admin_api):
    rows = [["客户名称", "联系人", "电话", "行业"], ["宁波港务贸易", "王芳", "13800138000", "零售"]]
    body = imported(admin_api, xlsx_bytes({"Sheet1": rows}))
    assert body["totals"]["errors"] == 1  # no source
    body = admin_api.patch(f"/imports/{body['id']}", json={"defaults": {"source": "other"}}).get_json()
    assert body["status"] == "uploaded"  # a change asks for a new dry run
    checked = admin_api.post(f"/imports/{body['id']}/validate").get_json()
    assert checked["totals"]["valid"] == 1 and checked["totals"]["errors"] == 0
