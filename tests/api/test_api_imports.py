"""Imports through the API (API.md ``imports``): the calls, their answers, who may make them."""
import io

from openpyxl import load_workbook

from tests.api_client import change_setting
from tests.blueprints.imports.helpers import imported, run_job, upload, xlsx_bytes

ROWS = [["客户名称", "联系人", "电话", "行业", "来源"], ["大连港湾贸易", "王芳", "13800138000", "零售", "展会"],
        ["大连无名", "李强", "", "零售", "展会"]]


def test_the_whole_flow_answers_as_api_md_says(app, tenant, admin_api):
    template = admin_api.get("/imports/templates/deals")
    assert template.status_code == 200 and template.mimetype.endswith("spreadsheetml.sheet")
    assert load_workbook(io.BytesIO(template.data)).sheetnames[0] == "Deals"

    created = upload(admin_api, xlsx_bytes({"Customers": ROWS}))
    assert created.status_code == 201
    body = created.get_json()
    assert set(body) >= {"id", "kind", "status", "mapping", "duplicate_policy", "totals", "progress",
                         "error_file_url", "created_at"}
    assert (body["kind"], body["status"], body["duplicate_policy"]) == ("customers", "uploaded", "skip")
    assert set(body["totals"]) == {"rows", "valid", "errors", "duplicates", "created", "updated", "skipped"}

    early = admin_api.post(f"/imports/{body['id']}/commit")
    assert early.status_code == 409  # the dry run comes first
    patched = admin_api.patch(f"/imports/{body['id']}", json={"duplicate_policy": "create", "mapping": {"电话": None}})
    assert patched.get_json()["mapping"]["电话"] is None and patched.get_json()["duplicate_policy"] == "create"
    admin_api.patch(f"/imports/{body['id']}", json={"mapping": {"电话": "contact_phone"}})
    checked = admin_api.post(f"/imports/{body['id']}/validate").get_json()
    assert checked["status"] == "validated" and checked["totals"]["errors"] == 1
    errors = admin_api.get(f"/imports/{body['id']}/errors").get_json()
    assert errors["total"] == 1 and errors["items"][0]["row"] == 3 and errors["items"][0]["field"] == "contact_phone"
    assert set(errors["items"][0]) == {"row", "field", "message"}

    committed = admin_api.post(f"/imports/{body['id']}/commit")
    assert committed.status_code == 202 and committed.get_json()["status"] == "running"
    assert admin_api.patch(f"/imports/{body['id']}", json={"duplicate_policy": "skip"}).status_code == 409
    run_job(app, tenant, body["id"])
    done = admin_api.get(f"/imports/{body['id']}").get_json()
    assert (done["status"], done["progress"], done["totals"]["created"]) == ("finished", 100, 1)
    assert admin_api.get(done["error_file_url"]).status_code == 200
    assert admin_api.post(f"/imports/{body['id']}/revert").status_code == 202
    run_job(app, tenant, body["id"], job="revert")
    assert admin_api.get(f"/imports/{body['id']}").get_json()["status"] == "reverted"


def test_bad_requests_are_named(admin_api):
    assert list(upload(admin_api, b"x", "a.xlsx", "invoices").get_json()["errors"]) == ["kind"]
    assert list(upload(admin_api, b"not a spreadsheet", "a.pdf").get_json()["errors"]) == ["file"]
    assert list(upload(admin_api, b"PK\x03\x04broken", "a.xlsx").get_json()["errors"]) == ["file"]
    body = upload(admin_api, xlsx_bytes({"S": ROWS})).get_json()
    bad = admin_api.patch(f"/imports/{body['id']}", json={
        "mapping": {"nope": "name", "电话": "colour", "联系人": "name", "客户名称": "name"},
        "duplicate_policy": "merge", "pool_id": 99999, "defaults": {"owner": "ghost"}})
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"mapping.nope", "mapping.电话", "mapping.联系人", "duplicate_policy",
                                             "pool_id", "defaults.owner"}


def test_who_may_import_and_see_which_batch(tenant, factory, admin_api, api_for):
    admin_id = factory.admin_id(tenant)
    factory.user(tenant, "rep_c", superior_id=admin_id)
    factory.user(tenant, "rep_d", superior_id=admin_id)
    rep = api_for(tenant, "rep_c")
    assert upload(rep, xlsx_bytes({"S": ROWS})).status_code == 403
    assert rep.get("/imports/templates/customers").status_code == 403
    change_setting(factory, tenant, "role_permissions", lambda value: {**value, "rep": ["import_customers"]})
    mine = imported(rep, xlsx_bytes({"S": ROWS}))
    other = api_for(tenant, "rep_d")
    assert other.get(f"/imports/{mine['id']}").status_code == 404
    assert other.get(f"/imports/{mine['id']}/errors").status_code == 404
    assert admin_api.get(f"/imports/{mine['id']}").status_code == 200  # above the rep


def test_the_calls_are_in_the_openapi_document(admin_api):
    paths = admin_api.get("/openapi.json").get_json()["paths"]
    for path, methods in {"/api/v1/imports": {"post"}, "/api/v1/imports/{import_id}": {"get", "patch"},
                          "/api/v1/imports/templates/{kind}": {"get"},
                          "/api/v1/imports/{import_id}/validate": {"post"},
                          "/api/v1/imports/{import_id}/commit": {"post"},
                          "/api/v1/imports/{import_id}/errors": {"get"},
                          "/api/v1/imports/{import_id}/revert": {"post"}}.items():
        assert methods <= set(paths[path]), path
    assert "multipart/form-data" in paths["/api/v1/imports"]["post"]["requestBody"]["content"]
