"""The commit (a job), its counts, the error workbook, update mode, and the revert with its report."""
import io

from openpyxl import load_workbook

from tests.blueprints.imports.helpers import EN_HEADERS, imported, in_tenant, run_job, xlsx_bytes


def _commit(app, tenant, api, body):
    response = api.post(f"/imports/{body['id']}/commit")
    assert response.status_code == 202 and response.get_json()["status"] == "running"
    run_job(app, tenant, body["id"])
    return api.get(f"/imports/{body['id']}").get_json()


def _customer(api, name):
    items = api.get("/customers", query_string={"q": name}).get_json()["items"]
    return next(c for c in items if c["name"] == name)


def test_commit_counts_tags_and_the_error_workbook(app, tenant, admin_api):
    rows = [EN_HEADERS,
            ["C1", "苏州工业园贸易", "Manufacturing", "Exhibition", "江苏", "苏州", "", "王芳", 13800138000.0, "", ""],
            ["C2", "", "it", "referral", "", "", "", "李强", "13800138001", "", ""],
            ["C3", "无锡新区科技", "it", "referral", "", "", "", "赵六", "138 0013 8002", "zhao@example.com", "A,B"],
            ["C4", "苏州工业园贸易", "it", "referral", "", "", "", "钱七", "13800138003", "", ""]]
    body = imported(admin_api, xlsx_bytes({"Customers": rows}))
    done = _commit(app, tenant, admin_api, body)
    assert done["status"] == "finished" and done["progress"] == 100
    assert done["totals"] == {"rows": 4, "valid": 3, "errors": 1, "duplicates": 1, "created": 2, "updated": 0,
                              "skipped": 1}

    created = _customer(admin_api, "苏州工业园贸易")
    assert (created["province"], created["city"], created["industry"]) == ("江苏省", "苏州市", "manufacturing")
    assert created["contacts"][0]["phone"] == "13800138000"  # typed as a number in Excel
    assert _customer(admin_api, "无锡新区科技")["tags"] == ["A", "B"]
    changes = admin_api.get(f"/customers/{created['id']}/changes").get_json()["items"]
    assert [c["action"] for c in changes] == ["created"]

    def tags():
        from sqlalchemy import select

        from crm_saas.blueprints.customers.models import Customer, CustomerChange
        from crm_saas.extensions import db

        return (set(db.session.scalars(select(Customer.import_id))),
                set(db.session.scalars(select(CustomerChange.import_id))),
                set(db.session.scalars(select(Customer.external_ref))))
    assert in_tenant(app, tenant, tags) == ({body["id"]}, {body["id"]}, {"C1", "C3"})

    workbook = admin_api.get(done["error_file_url"])
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.data)).active
    values = list(sheet.values)
    assert values[0] == ("Error reason", *EN_HEADERS)
    assert len(values) == 2
    assert values[1][0] == "Row 3 Customer name: Customer name is required."
    assert values[1][1:] == ("C2", None, "it", "referral", None, None, None, "李强", "13800138001", None, None)


def test_update_mode_touches_only_the_filled_fields(app, tenant, admin_api, factory):
    customer_id = factory.customer(tenant, factory.admin_id(tenant), name="合肥老客户有限公司", phone="13911112222")
    admin_api.patch(f"/customers/{customer_id}", json={"remarks": "keep me", "province": "安徽省", "city": "合肥市"})
    rows = [["客户名称", "行业", "来源", "备注", "城市", "联系人", "电话", "邮箱"],
            ["合肥老客户有限公司", "金融", "", "", "", "", "", "new@example.com"]]
    body = imported(admin_api, xlsx_bytes({"Sheet1": rows}), duplicate_policy="update")
    assert body["totals"]["valid"] == 1 and body["totals"]["duplicates"] == 1
    done = _commit(app, tenant, admin_api, body)
    assert (done["totals"]["updated"], done["totals"]["created"]) == (1, 0)
    after = admin_api.get(f"/customers/{customer_id}").get_json()
    assert after["industry"] == "finance"
    assert (after["source"], after["remarks"], after["province"], after["city"]) == ("referral", "keep me", "安徽省",
                                                                                    "合肥市")
    assert after["contacts"][0]["phone"] == "13911112222" and after["contacts"][0]["email"] == "new@example.com"
    fields = {c["field"] for c in admin_api.get(f"/customers/{customer_id}/changes").get_json()["items"]
              if c["action"] == "updated" and (c.get("reason") or "").startswith("Import")}
    assert fields == {"industry", "contact.email"}


def test_revert_restores_and_reports_later_edits(app, tenant, admin_api, factory):
    kept_id = factory.customer(tenant, factory.admin_id(tenant), name="南京老客户有限公司", phone="13922223333")
    admin_api.patch(f"/customers/{kept_id}", json={"remarks": "before", "size": "1-20"})
    rows = [["客户名称", "行业", "来源", "备注", "规模", "联系人", "电话"],
            ["南京老客户有限公司", "", "", "from the import", "21-100", "", ""],
            ["南京新客户一", "it", "referral", "", "", "甲", "13800000001"],
            ["南京新客户二", "it", "referral", "", "", "乙", "13800000002"]]
    body = imported(admin_api, xlsx_bytes({"Sheet1": rows}), duplicate_policy="update")
    done = _commit(app, tenant, admin_api, body)
    assert (done["totals"]["created"], done["totals"]["updated"]) == (2, 1)
    # Someone edits after the import: one imported field, and one customer the import created.
    admin_api.patch(f"/customers/{kept_id}", json={"size": "101-500"})
    edited = _customer(admin_api, "南京新客户二")
    admin_api.patch(f"/customers/{edited['id']}", json={"remarks": "worked on it"})

    response = admin_api.post(f"/imports/{body['id']}/revert")
    assert response.status_code == 202
    report = run_job(app, tenant, body["id"], job="revert")
    assert admin_api.get(f"/imports/{body['id']}").get_json()["status"] == "reverted"
    assert (report["deleted"], report["restored"]) == (1, 1)
    assert {(k["customer"].split(" ", 1)[1], k["field"]) for k in report["kept"]} == {
        ("南京老客户有限公司", "size"), ("南京新客户二", "remarks")}

    restored = admin_api.get(f"/customers/{kept_id}").get_json()
    assert (restored["remarks"], restored["size"]) == ("before", "101-500")  # put back; the later edit stays
    names = {c["name"] for c in admin_api.get("/customers").get_json()["items"]}
    assert "南京新客户一" not in names and "南京新客户二" in names
    binned = {c["name"] for c in admin_api.get("/customers/recycle-bin").get_json()["items"]}
    assert binned == {"南京新客户一"}
    again = admin_api.post(f"/imports/{body['id']}/revert")
    assert again.status_code == 409 and "import" in again.get_json()["errors"]


def test_the_mapping_is_remembered_for_the_next_file(admin_api):
    rows = [["名字", "联系人", "电话", "行业", "来源"], ["厦门一号", "王芳", "13800138000", "it", "referral"]]
    first = imported(admin_api, xlsx_bytes({"Sheet1": rows}))
    assert first["mapping"]["名字"] is None  # no field goes by that name
    admin_api.patch(f"/imports/{first['id']}", json={"mapping": {"名字": "name"}})
    second = imported(admin_api, xlsx_bytes({"Sheet1": rows}))
    assert second["mapping"]["名字"] == "name" and second["totals"]["valid"] == 1
