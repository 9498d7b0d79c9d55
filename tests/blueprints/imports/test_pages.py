"""The import pages: the menu entry for those allowed, templates from the company's fields, upload, mapping,
dry run and commit through the forms, a target pool, and the history."""
import io
import re

from openpyxl import load_workbook

from tests.api_client import change_setting
from tests.blueprints.imports.helpers import in_tenant, run_job, xlsx_bytes
from tests.conftest import STAFF_PASSWORD, login


def test_the_menu_offers_import_to_those_allowed(tenant, factory, admin_client, client_for):
    assert 'href="/imports/"' in admin_client.get("/customers/").get_data(as_text=True)
    factory.user(tenant, "rep_b", superior_id=factory.admin_id(tenant))
    rep = client_for(tenant)
    login(rep, "rep_b", STAFF_PASSWORD)
    assert 'href="/imports/"' not in rep.get("/customers/").get_data(as_text=True)
    assert rep.get("/imports/").status_code == 403
    change_setting(factory, tenant, "role_permissions", lambda value: {**value, "rep": ["import_customers"]})
    assert 'href="/imports/"' in rep.get("/customers/").get_data(as_text=True)


def test_the_template_is_made_from_the_company_fields(admin_client, admin_api):
    admin_api.post("/custom-fields", json={"entity": "customer", "label": "客户级别", "type": "choice",
                                           "options": ["A", "B"], "required": True})
    response = admin_client.get("/imports/templates/customers")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Customers", "Allowed values"]
    headers = [cell.value for cell in next(book["Customers"].iter_rows(max_row=1))]
    assert headers[:3] == ["Customer ID", "Customer name*", "Industry*"]
    assert "Contact phone*" in headers and "Contact title" in headers and headers[-1] == "客户级别*"
    allowed = [[cell for cell in row] for row in book["Allowed values"].iter_rows(values_only=True)]
    assert "Retail and trade" in [row[1] for row in allowed] and any("广东省" in row for row in allowed)
    chinese = admin_client.get("/imports/templates/deals", headers={"Accept-Language": "zh-CN"})
    assert load_workbook(io.BytesIO(chinese.data)).sheetnames[1] != "Customers"

    # The template, filled in, maps itself.
    sheet = book["Customers"]
    row = {"Customer name*": "模板客户", "Industry*": "IT / Internet", "Source*": "Referral", "Contact name*": "王芳",
           "Contact phone*": "13800138000", "客户级别*": "A"}
    sheet.append([row.get(header) for header in headers])
    out = io.BytesIO()
    book.save(out)
    page = admin_client.post("/imports/", data={"kind": "customers", "file": (io.BytesIO(out.getvalue()), "t.xlsx")},
                             content_type="multipart/form-data")
    assert page.status_code == 302
    batch = admin_client.get(page.headers["Location"]).get_data(as_text=True)
    assert 'value="custom.ke_hu_ji_bie" selected' in batch and 'value="contact_phone" selected' in batch


def test_upload_map_check_and_commit_through_the_pages(app, tenant, admin_client):
    rows = [["公司", "联系人", "手机", "行业", "来源"], ["青岛海风贸易", "王芳", "13800138000", "零售", "展会"],
            ["", "李强", "13800138001", "零售", "展会"]]
    refused = admin_client.post("/imports/", data={"kind": "customers", "file": (io.BytesIO(b"hello"), "a.pdf")},
                                content_type="multipart/form-data")
    assert refused.status_code == 422 and "Upload an Excel workbook (.xlsx) or a CSV file." in refused.text
    response = admin_client.post("/imports/", data={"kind": "customers", "file": (io.BytesIO(xlsx_bytes(
        {"Sheet1": rows})), "客户.xlsx")}, content_type="multipart/form-data")
    url = response.headers["Location"]
    page = admin_client.get(url).get_data(as_text=True)
    assert "青岛海风贸易" in page  # sample values beside the columns
    assert re.search(r'<option value="name">', page)  # 公司 is not matched: the user maps it
    import_id = int(url.rsplit("/", 1)[1])
    form = {"map-0": "name", "map-1": "contact_name", "map-2": "contact_phone", "map-3": "industry",
            "map-4": "source", "duplicate_policy": "skip"}
    checked = admin_client.post(f"/imports/{import_id}/check", data=form, headers={"HX-Request": "true"})
    assert checked.status_code == 200
    assert 'data-total="valid">1<' in checked.text and 'data-total="errors">1<' in checked.text
    assert "Row 3 Customer name" in checked.text and "import-error-file" in checked.text
    started = admin_client.post(f"/imports/{import_id}/commit", headers={"HX-Request": "true"})
    assert "<progress" in started.text and 'hx-trigger="every 1s"' in started.text
    run_job(app, tenant, import_id)
    done = admin_client.get(f"/imports/{import_id}/progress", headers={"HX-Request": "true"}).text
    assert 'data-total="created">1<' in done and "hx-trigger" not in done and "import-revert" in done
    history = admin_client.get("/imports/").text
    assert "客户.xlsx" in history and "Committed" in history
    error_file = admin_client.get(f"/imports/{import_id}/errors.xlsx")
    assert error_file.status_code == 200
    assert list(load_workbook(io.BytesIO(error_file.data)).active.values)[1][1:] == (None, "李强", "13800138001",
                                                                                    "零售", "展会")


def test_new_customers_can_go_straight_into_a_pool(app, tenant, admin_api):
    from crm_saas.blueprints.pools.services import default_pool

    pool_id = in_tenant(app, tenant, lambda: _commit_pool(default_pool))
    rows = [["客户名称", "联系人", "电话", "行业", "来源"], ["烟台公海客户", "王芳", "13800138000", "零售", "展会"]]
    body = admin_api.post("/imports", data={"kind": "customers", "file": (io.BytesIO(xlsx_bytes({"S": rows})),
                                                                          "p.xlsx")},
                          content_type="multipart/form-data").get_json()
    assert admin_api.patch(f"/imports/{body['id']}", json={"pool_id": pool_id}).status_code == 200
    admin_api.post(f"/imports/{body['id']}/validate")
    admin_api.post(f"/imports/{body['id']}/commit")
    run_job(app, tenant, body["id"])

    def pooled():
        from sqlalchemy import select

        from crm_saas.blueprints.customers.models import Customer
        from crm_saas.extensions import db

        return db.session.execute(select(Customer.owner_id, Customer.pool_id, Customer.pool_rule)).one()
    assert tuple(in_tenant(app, tenant, pooled)) == (None, pool_id, "import")


def _commit_pool(default_pool):
    from crm_saas.extensions import db

    pool_id = default_pool().id
    db.session.commit()
    return pool_id
