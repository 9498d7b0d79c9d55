"""Importing extra contacts: each row finds its customer (number, ID or name, among those the importer sees), is
judged by the form's contact rules, and a revert takes the contacts away again."""
import io

from openpyxl import load_workbook

from tests.api_client import change_setting
from tests.blueprints.imports.helpers import imported, run_job, xlsx_bytes

ZH = ["编号", "联系人", "职位", "电话", "邮箱", "微信", "角色", "主联系人"]
EN = ["Customer ID*", "Contact name*", "Contact title", "Contact phone", "Contact email", "WeChat", "Contact role",
      "Main contact"]


def _commit(app, tenant, api, body):
    assert api.post(f"/imports/{body['id']}/commit").status_code == 202
    run_job(app, tenant, body["id"])
    return api.get(f"/imports/{body['id']}").get_json()


def _customers(tenant, factory, admin_api):
    admin = factory.admin_id(tenant)
    first = factory.customer(tenant, admin, name="远航贸易有限公司", phone="13800138000")
    second = factory.customer(tenant, admin, name="星河科技", phone="13900139000")
    return [admin_api.get(f"/customers/{cid}").get_json() for cid in (first, second)]


def _contacts(api, customer_id):
    return [(c["name"], c["title"], c["phone"], c["email"], c["wechat"], c["role"], c["primary"])
            for c in api.get(f"/customers/{customer_id}").get_json()["contacts"]]


def _good_rows(first, second):
    return [ZH,
            [first["number"], "张三", "采购经理", "13900000001", "zs@example.com", "zhangsan01", "Decision maker", ""],
            ["星河科技", "李四", "", "010-66668888", "", "", "", "否"],
            [first["number"], "王五", "总经理", 13700000002.0, "", "", "influencer", "是"],
            [first["number"], "张三（重复）", "", "139 0000 0001", "", "", "", ""]]  # the same phone as 张三


def test_good_rows_add_contacts_to_the_right_customers(app, tenant, admin_api, factory):
    first, second = _customers(tenant, factory, admin_api)
    body = imported(admin_api, xlsx_bytes({"联系人": _good_rows(first, second)}), name="联系人.xlsx", kind="contacts")
    assert body["kind"] == "contacts"
    assert body["mapping"] == {"编号": "customer_ref", "联系人": "name", "职位": "title", "电话": "phone",
                               "邮箱": "email", "微信": "wechat", "角色": "role", "主联系人": "primary"}
    assert body["totals"] == {"rows": 4, "valid": 4, "errors": 0, "duplicates": 1, "created": 0, "updated": 0,
                              "skipped": 0}
    assert len(_contacts(admin_api, first["id"])) == 1  # a dry run adds nothing

    done = _commit(app, tenant, admin_api, body)
    assert (done["totals"]["created"], done["totals"]["skipped"]) == (3, 1)
    assert _contacts(admin_api, first["id"]) == [
        ("联系人", None, "13800138000", None, None, None, False),
        ("张三", "采购经理", "13900000001", "zs@example.com", "zhangsan01", "decision_maker", False),
        ("王五", "总经理", "13700000002", None, None, "influencer", True)]  # marked main: the main one now
    assert _contacts(admin_api, second["id"]) == [("联系人", None, "13900139000", None, None, None, True),
                                                  ("李四", None, "010-66668888", None, None, None, False)]
    changes = admin_api.get(f"/customers/{second['id']}/changes").get_json()["items"]
    added = [c for c in changes if c["field"] == "contact.added"]
    assert len(added) == 1 and added[0]["reason"].startswith(f"Import {body['id']}")


def test_the_template_and_english_headers(admin_api, tenant, factory):
    template = admin_api.get("/imports/templates/contacts")
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.data))
    assert book.sheetnames[0] == "Contacts"
    assert [cell.value for cell in book["Contacts"][1]] == EN
    first, _second = _customers(tenant, factory, admin_api)
    rows = [EN, [first["number"], "Li Lei", "CTO", "13911112222", "li@example.com", "", "User", "no"]]
    body = imported(admin_api, xlsx_bytes({"Contacts": rows}), kind="contacts")
    assert set(body["mapping"].values()) == {"customer_ref", "name", "title", "phone", "email", "wechat", "role",
                                            "primary"}
    assert body["totals"]["valid"] == 1


def test_a_bad_row_names_its_row_and_field(admin_api, tenant, factory):
    first, _second = _customers(tenant, factory, admin_api)
    number = first["number"]
    rows = [ZH,
            [number, "赵六", "", "12345", "", "", "", ""],                       # 2 bad phone
            [number, "", "", "13900000003", "not-an-email", "", "", ""],        # 3 no name, bad email
            [number, "孙七", "", "13900000004", "", "", "老板", "也许"],          # 4 bad role, bad yes/no
            [number, "周八", "", "", "", "", "", "是"],                          # 5 a main contact needs a phone
            ["", "吴九", "", "13900000005", "", "", "", ""],                      # 6 no customer
            [number, "郑十", "", "", "", "", "", ""]]                             # 7 good: no phone is fine
    body = imported(admin_api, xlsx_bytes({"联系人": rows}), kind="contacts")
    assert (body["totals"]["valid"], body["totals"]["errors"]) == (1, 5)
    errors = admin_api.get(f"/imports/{body['id']}/errors").get_json()["items"]
    assert {(e["row"], e["field"]) for e in errors} == {
        (2, "phone"), (3, "name"), (3, "email"), (4, "role"), (4, "primary"), (5, "phone"), (6, "customer_ref")}
    message = next(e["message"] for e in errors if (e["row"], e["field"]) == (2, "phone"))
    assert message.startswith("Row 2 Contact phone:")


def test_a_customer_the_importer_cannot_see_is_not_found_nor_named(app, tenant, factory, api_for, client_for):
    from tests.conftest import STAFF_PASSWORD, login

    change_setting(factory, tenant, "role_permissions", lambda value: {**value, "rep": ["import_customers"]})
    admin_id = factory.admin_id(tenant)
    hidden = factory.customer(tenant, admin_id, name="秘密大客户有限公司", phone="13700000000")
    number = api_for(tenant).get(f"/customers/{hidden}").get_json()["number"]
    factory.user(tenant, "rep_a", superior_id=admin_id)
    rep = api_for(tenant, "rep_a")
    rows = [ZH, [number, "王五", "", "13600000000", "", "", "", ""],
            ["秘密大客户有限公司", "王六", "", "13600000001", "", "", "", ""]]
    body = imported(rep, xlsx_bytes({"联系人": rows}), kind="contacts")
    assert (body["totals"]["valid"], body["totals"]["errors"]) == (0, 2)
    errors = rep.get(f"/imports/{body['id']}/errors").get_json()["items"]
    assert {(e["row"], e["field"]) for e in errors} == {(2, "customer_ref"), (3, "customer_ref")}
    number_error = next(e["message"] for e in errors if e["row"] == 2)
    assert "秘密大客户有限公司" not in number_error and "13700000000" not in number_error
    client = client_for(tenant)
    login(client, "rep_a", STAFF_PASSWORD)
    page = client.get(f"/imports/{body['id']}").get_data(as_text=True)
    assert "13700000000" not in page


def test_revert_removes_the_added_contacts(app, tenant, admin_api, factory):
    first, second = _customers(tenant, factory, admin_api)
    before = {c["id"]: _contacts(admin_api, c["id"]) for c in (first, second)}
    body = imported(admin_api, xlsx_bytes({"联系人": _good_rows(first, second)}), kind="contacts")
    _commit(app, tenant, admin_api, body)
    # 李四 is worked on after the import: that contact stays.
    contacts = admin_api.get(f"/customers/{second['id']}").get_json()["contacts"]
    contacts[1]["title"] = "技术总监"
    assert admin_api.patch(f"/customers/{second['id']}", json={"contacts": contacts}).status_code == 200

    assert admin_api.post(f"/imports/{body['id']}/revert").status_code == 202
    report = run_job(app, tenant, body["id"], job="revert")
    assert (report["contacts_deleted"], report["restored"], report["deleted"]) == (2, 0, 0)
    assert [(k["field"], k["why"]) for k in report["kept"]] == [
        ("李四", "contact added by the import, changed since")]
    assert _contacts(admin_api, first["id"]) == before[first["id"]]  # 联系人 is the main contact again
    assert [c[0] for c in _contacts(admin_api, second["id"])] == ["联系人", "李四"]
    changes = admin_api.get(f"/customers/{first['id']}/changes").get_json()["items"]
    assert sum(c["field"] == "contact.removed" for c in changes) == 2
