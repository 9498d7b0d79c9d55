"""Files through the API: multipart upload, metadata, download, delete, under the records' visibility."""
import io
import os
from datetime import datetime
from urllib.parse import quote

import pytest

from tests.blueprints.files.test_files import attachment_rows, pdf_bytes, png_bytes, stored_files, xlsx_bytes


def send(api, path, name, content):
    return api.call("POST", path, data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


@pytest.fixture
def attachment_limit(app):
    saved = app.config["CRM_MAX_ATTACHMENT_MB"]
    yield lambda megabytes: app.config.__setitem__("CRM_MAX_ATTACHMENT_MB", megabytes)
    app.config["CRM_MAX_ATTACHMENT_MB"] = saved


def test_upload_list_read_download_and_delete(app, tenant, admin_api, factory):
    admin = factory.admin_id(tenant)
    customer = factory.customer(tenant, admin)
    deal = factory.deal(tenant, customer, admin)
    workbook = xlsx_bytes()  # once: a workbook written a second later carries another timestamp
    created = send(admin_api, f"/customers/{customer}/files", "客户清单.xlsx", workbook)
    assert created.status_code == 201
    body = created.get_json()
    assert set(body) == {"id", "entity", "entity_id", "file_name", "content_type", "size", "uploaded_by",
                         "uploaded_at", "download_url"}
    assert (body["entity"], body["entity_id"], body["file_name"], body["size"]) == (
        "customer", customer, "客户清单.xlsx", len(workbook))
    assert body["uploaded_by"] == {"id": admin, "name": "Admin"}
    assert datetime.fromisoformat(body["uploaded_at"]).tzinfo is not None
    assert send(admin_api, f"/deals/{deal}/files", "photo.png", png_bytes()).status_code == 201

    listed = admin_api.get(f"/customers/{customer}/files").get_json()
    assert (listed["total"], [f["file_name"] for f in listed["items"]]) == (1, ["客户清单.xlsx"])
    assert [f["file_name"] for f in admin_api.get(f"/deals/{deal}/files").get_json()["items"]] == ["photo.png"]
    assert admin_api.get(f"/files/{body['id']}").get_json() == body

    download = admin_api.get(body["download_url"])
    assert download.status_code == 200 and download.data == workbook
    assert f"filename*=UTF-8''{quote('客户清单.xlsx')}" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"

    assert admin_api.delete(f"/files/{body['id']}").status_code == 204
    assert admin_api.get(f"/files/{body['id']}").status_code == 404
    assert [row[0] for row in attachment_rows(factory, tenant)] == ["photo.png"]
    assert len(stored_files(app, tenant)) == 1


@pytest.mark.parametrize("name, content, message", [
    ("tool.exe", b"MZ\x90\x00", "tool.exe cannot be attached"),
    ("合同.pdf", png_bytes(), "合同.pdf is not a real PDF file"),
    ("empty.pdf", b"", "empty.pdf is empty."),
])
def test_refused_uploads_are_422_naming_file(app, tenant, admin_api, factory, name, content, message):
    customer = factory.customer(tenant, factory.admin_id(tenant))
    response = send(admin_api, f"/customers/{customer}/files", name, content)
    assert response.status_code == 422
    [text] = response.get_json()["errors"]["file"]
    assert message in text
    assert attachment_rows(factory, tenant) == [] and stored_files(app, tenant) == []


def test_no_file_and_too_large_files_are_422_too(app, tenant, admin_api, factory, attachment_limit):
    customer = factory.customer(tenant, factory.admin_id(tenant))
    path = f"/customers/{customer}/files"
    assert admin_api.post(path, json={}).get_json() == {"errors": {"file": ["Choose a file to upload."]}}
    attachment_limit(0.01)
    checked = send(admin_api, path, "scan.pdf", pdf_bytes() + b"0" * 12_000)
    assert checked.status_code == 422 and checked.get_json()["errors"]["file"] == ["scan.pdf is larger than 0.01 MB."]
    unread = send(admin_api, path, "scan.pdf", pdf_bytes() + b"0" * 200_000)
    assert unread.status_code == 422 and unread.get_json() == {"errors": {"file": ["The file is larger than 0.01 MB."]}}
    assert attachment_rows(factory, tenant) == [] and stored_files(app, tenant) == []


def test_files_of_records_the_caller_cannot_see_are_404(tenant, admin_api, api_for, factory):
    admin = factory.admin_id(tenant)
    factory.user(tenant, "rep", superior_id=admin)
    customer = factory.customer(tenant, admin)
    deal = factory.deal(tenant, customer, admin)
    file_id = send(admin_api, f"/customers/{customer}/files", "a.pdf", pdf_bytes()).get_json()["id"]
    rep = api_for(tenant, "rep")
    for response in (rep.get(f"/customers/{customer}/files"), rep.get(f"/deals/{deal}/files"),
                     send(rep, f"/customers/{customer}/files", "x.pdf", pdf_bytes()),
                     send(rep, f"/deals/{deal}/files", "x.pdf", pdf_bytes()),
                     rep.get(f"/files/{file_id}"), rep.get(f"/files/{file_id}/download"),
                     rep.delete(f"/files/{file_id}")):
        assert response.status_code == 404
    assert len(attachment_rows(factory, tenant)) == 1


def test_a_visible_file_may_still_not_be_deletable(tenant, api_for, factory):
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    factory.user(tenant, "rep", superior_id=boss)
    customer = factory.customer(tenant, factory.user(tenant, "rep2", superior_id=boss))
    rep2 = api_for(tenant, "rep2")
    file_id = send(rep2, f"/customers/{customer}/files", "a.pdf", pdf_bytes()).get_json()["id"]
    supervisor = api_for(tenant, "boss")
    assert supervisor.get(f"/files/{file_id}").status_code == 200
    assert supervisor.delete(f"/files/{file_id}").status_code == 403
    assert api_for(tenant).delete(f"/files/{file_id}").status_code == 204  # the admin manages settings


def test_another_companys_file_is_404_on_this_host(app, make_tenant, api_for, factory):
    first, second = make_tenant(), make_tenant()
    customer = factory.customer(first, factory.admin_id(first))
    file_id = send(api_for(first), f"/customers/{customer}/files", "a.pdf", pdf_bytes()).get_json()["id"]
    other = api_for(second)
    assert other.get(f"/files/{file_id}").status_code == 404
    assert other.get(f"/files/{file_id}/download").status_code == 404
    assert other.delete(f"/files/{file_id}").status_code == 404
    assert stored_files(app, second) == []
    assert os.listdir(os.path.join(app.instance_path, "files", first.schema_name))


def test_the_openapi_document_lists_the_file_calls(client_for, tenant):
    paths = client_for(tenant).get("/api/v1/openapi.json").get_json()["paths"]
    for path, methods in {
        "/api/v1/customers/{customer_id}/files": {"get", "post"}, "/api/v1/deals/{deal_id}/files": {"get", "post"},
        "/api/v1/files/{file_id}": {"get", "delete"}, "/api/v1/files/{file_id}/download": {"get"},
    }.items():
        assert methods <= set(paths[path]), path
    upload = paths["/api/v1/customers/{customer_id}/files"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
