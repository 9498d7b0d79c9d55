"""The full company export (I3): an admin's zip of every table (large ones as CSV), the import sheets, custom fields
as columns and the attached files, without the secrets; nobody else may start or read it."""
import csv
import io
import re
import zipfile

import pytest
from openpyxl import load_workbook

from tests.api_client import change_setting, run_export_here, valid_customer
from tests.conftest import STAFF_PASSWORD, login


@pytest.fixture
def company(tenant, factory, admin_api):
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    factory.user(tenant, "rep", superior_id=boss)
    assert admin_api.post("/custom-fields", json={"entity": "customer", "label": "Budget", "type": "number",
                                                  "key": "budget"}).status_code == 201
    cid = admin_api.post("/customers", json=valid_customer(name="全量导出客户", custom={"budget": 50000})).get_json()["id"]
    upload = admin_api.post(f"/customers/{cid}/files", data={"file": (io.BytesIO("报价内容".encode()), "报价单.txt")})
    assert upload.status_code == 201
    change_setting(factory, tenant, "smtp", lambda smtp: {**smtp, "host": "smtp.example.com", "password": "s3cret!"})

    def english_admin():  # the workbook is written in its requester's language
        from crm_saas.core.users import User
        from crm_saas.extensions import db

        db.session.get(User, admin).locale = "en"
        db.session.commit()

    factory._run(tenant, english_admin)
    return {"admin": admin, "boss": boss, "customer": cid, "file": upload.get_json()["id"]}


def full_export(app, tenant, api):
    started = api.post("/exports", json={"kind": "all"})
    assert started.status_code == 202, started.get_json()
    body = started.get_json()
    assert body["kind"] == "all"
    rows = run_export_here(app, tenant, body["id"])
    status = api.get(f"/exports/{body['id']}").get_json()
    assert (status["status"], status["progress"]) == ("finished", 100)
    download = api.get(status["download_url"])
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert ".zip" in download.headers["Content-Disposition"]
    return body["id"], rows, zipfile.ZipFile(io.BytesIO(download.data))


def test_the_zip_holds_every_table_the_import_sheets_and_the_files(app, tenant, admin_api, company):
    _export_id, rows, archive = full_export(app, tenant, admin_api)
    names = archive.namelist()
    assert f"files/customer/{company['customer']}/{company['file']}-报价单.txt" in names
    assert archive.read(f"files/customer/{company['customer']}/{company['file']}-报价单.txt").decode() == "报价内容"
    book = load_workbook(io.BytesIO(archive.read("data.xlsx")), read_only=True)
    sheets = book.sheetnames
    assert sheets[:5] == ["About", "Customers", "Contacts", "Deals", "Follow-ups"]
    assert list(book["Contacts"].values)[0] == ("Customer ID*", "Contact name*", "Contact title", "Contact phone",
                                               "Contact email", "WeChat", "Contact role", "Main contact")
    assert {"table_customers", "table_contacts", "table_users", "table_operation_log", "table_custom_fields",
            "table_attachments", "table_settings"} <= set(sheets)
    assert not {"table_api_tokens", "table_login_sessions", "table_password_resets"} & set(sheets)

    customers = list(book["Customers"].values)
    assert customers[0][:3] == ("Customer ID", "Customer name*", "Industry*") and customers[0][-1] == "Budget"
    assert customers[1][1] == "全量导出客户" and customers[1][-1] == 50000
    assert "13800138000" in [str(v) for v in customers[1]]  # an admin's export reads numbers in full

    users = list(book["table_users"].values)
    assert "password_hash" not in users[0] and "session_token" not in users[0] and "username" in users[0]
    stored = list(book["table_customers"].values)
    assert "custom.budget (Budget)" in stored[0] and "custom" in stored[0]
    settings = {row[0]: row[1] for row in list(book["table_settings"].values)[1:]}
    assert "smtp.example.com" in settings["smtp"] and "s3cret!" not in settings["smtp"]
    assert rows >= len(customers) - 1 + len(users) - 1


def test_a_large_table_goes_beside_the_workbook_as_csv(app, tenant, admin_api, company, monkeypatch):
    from crm_saas.blueprints.imports.services import full_export as writer

    admin_api.post("/customers", json=valid_customer(name="第二个客户", contacts=[
        {"name": "李四", "phone": "13900139000", "primary": True}]))
    monkeypatch.setattr(writer, "SHEET_ROWS_MAX", 1)
    _export_id, _rows, archive = full_export(app, tenant, admin_api)
    table = list(csv.reader(io.StringIO(archive.read("tables/customers.csv").decode("utf-8-sig"))))
    assert table[0][:3] == ["id", "number", "name"] and "custom.budget (Budget)" in table[0]
    assert sorted(row[2] for row in table[1:]) == ["全量导出客户", "第二个客户"]
    book = load_workbook(io.BytesIO(archive.read("data.xlsx")), read_only=True)
    assert "table_customers" not in book.sheetnames
    about = [row for row in book["About"].values if row[0] == "customers"]
    assert about == [("customers", 2, "tables/customers.csv")]
    assert len(list(book["Customers"].values)) == 3  # the import sheet keeps every customer


def test_only_admins_start_or_read_it(app, tenant, admin_api, api_for, client_for, company, factory):
    boss = api_for(tenant, "boss")
    refused = boss.post("/exports", json={"kind": "all"})
    assert refused.status_code == 403 and "administrators" in refused.get_json()["message"]
    own = boss.post("/exports", json={"kind": "customers"})
    assert own.status_code == 202  # their own kind still works
    run_export_here(app, tenant, own.get_json()["id"])  # run here, so no worker of the suite picks it up
    export_id, _rows, _archive = full_export(app, tenant, admin_api)
    change_setting(factory, tenant, "role_permissions", lambda m: {**m, "supervisor": [*m["supervisor"], "see_all"]})
    assert boss.get(f"/exports/{export_id}").status_code == 404  # seeing everything is not being an admin
    assert boss.get(f"/exports/{export_id}/download").status_code == 404
    web = client_for(tenant)
    assert login(web, "boss", STAFF_PASSWORD).status_code == 302
    assert web.post("/exports/all").status_code == 403
    assert web.get(f"/exports/{export_id}/download").status_code == 404
    admin = client_for(tenant)
    assert login(admin, "admin", "Admin#2026").status_code == 302
    assert "Export all company data" in admin.get("/settings/").text
    started = admin.post("/exports/all", headers={"HX-Request": "true"})
    assert started.status_code == 200 and 'id="export-progress"' in started.text
    run_export_here(app, tenant, int(re.search(r"/exports/(\d+)", started.text).group(1)))
