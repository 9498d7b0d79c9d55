"""Exports through the API: 202, progress, and the file behind download_url, all by bearer token."""
import io

import pytest
from openpyxl import load_workbook

from tests.api_client import run_export_here, valid_customer


@pytest.fixture
def forget_jobs(app):
    """Take the jobs these tests queue off the shared queue, so no other test's worker runs them."""
    job_ids = []
    yield job_ids
    from crm_saas.core.queue import export_queue

    with app.app_context():
        queue = export_queue()
        for job_id in job_ids:
            queue.remove(job_id)


def _job_id(app, tenant, export_id):
    from crm_saas.blueprints.exports.models import Export
    from crm_saas.extensions import db
    from crm_saas.tenants.binding import tenant_context

    with app.app_context(), tenant_context(tenant.schema_name):
        return db.session.get(Export, export_id).job_id


def test_export_is_accepted_and_reports_progress(app, tenant, admin_api, forget_jobs):
    response = admin_api.post("/exports", json={"kind": "customers", "filters": {"q": "x"}})
    assert response.status_code == 202
    body = response.get_json()
    forget_jobs.append(_job_id(app, tenant, body["id"]))
    assert set(body) == {"id", "kind", "format", "report", "status", "progress", "error", "download_url"}
    assert (body["kind"], body["status"], body["download_url"]) == ("customers", "queued", None)
    status = admin_api.get(f"/exports/{body['id']}").get_json()
    assert status["status"] in ("queued", "started", "finished") and 0 <= status["progress"] <= 100
    assert admin_api.get(f"/exports/{body['id']}/download").status_code == 409


def test_bad_export_requests_are_422(admin_api):
    assert list(admin_api.post("/exports", json={"kind": "invoices"}).get_json()["errors"]) == ["kind"]
    assert list(admin_api.post("/exports", json={}).get_json()["errors"]) == ["kind"]
    unknown = admin_api.post("/exports", json={"kind": "customers", "filters": {"colour": "red"}})
    assert list(unknown.get_json()["errors"]) == ["filters.colour"]


def test_exports_of_others_are_404(app, tenant, factory, admin_api, api_for, forget_jobs):
    factory.user(tenant, "rep_x", superior_id=factory.admin_id(tenant))
    export_id = admin_api.post("/exports", json={"kind": "customers"}).get_json()["id"]
    forget_jobs.append(_job_id(app, tenant, export_id))
    rep = api_for(tenant, "rep_x")
    assert rep.get(f"/exports/{export_id}").status_code == 404
    assert rep.get(f"/exports/{export_id}/download").status_code == 404


def test_download_url_gives_the_workbook(app, tenant, admin_api, forget_jobs):
    """The job runs in this process (the worker itself is covered elsewhere); the API serves its file."""
    admin_api.post("/customers", json=valid_customer(name="导出客户", industry="finance"))
    admin_api.post("/customers", json=valid_customer(name="别的客户"))
    export_id = admin_api.post("/exports", json={"kind": "customers", "filters": {"industry": "finance"}}
                               ).get_json()["id"]
    forget_jobs.append(_job_id(app, tenant, export_id))
    assert run_export_here(app, tenant, export_id) == 1

    status = admin_api.get(f"/exports/{export_id}").get_json()
    assert (status["status"], status["progress"]) == ("finished", 100)
    response = admin_api.get(status["download_url"])
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(response.data)).active.values)
    assert [row[1] for row in rows[1:]] == ["导出客户"]
    assert admin_api.client.get(status["download_url"]).status_code == 401  # no token, no file


def test_the_workbook_is_one_to_work_in(app, tenant, admin_api, admin_client, forget_jobs):
    """Issue 13.10: named for the company and the day, a frozen header with a filter, sized columns, labels not
    codes, real date cells, and every contact (not only the main one)."""
    from datetime import datetime
    from urllib.parse import quote
    from zoneinfo import ZoneInfo

    admin_api.post("/customers", json=valid_customer(
        name="多联系人公司", industry="finance", source="exhibition", size="21-100",
        contacts=[{"name": "主联系人", "phone": "13800000001", "primary": True},
                  {"name": "第二位", "phone": "13800000002", "email": "two@example.com", "primary": False},
                  {"name": "第三位", "phone": "13800000003", "primary": False}]))
    export_id = admin_api.post("/exports", json={"kind": "customers", "filters": {}}).get_json()["id"]
    forget_jobs.append(_job_id(app, tenant, export_id))
    assert run_export_here(app, tenant, export_id) == 1

    download = admin_client.get(f"/exports/{export_id}/download", headers={"Accept-Language": "en"})
    day = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()  # the company's day
    assert f'filename="Company {tenant.slug}-Customers-{day}.xlsx"' in download.headers["Content-Disposition"]
    zh = admin_client.get(f"/exports/{export_id}/download", headers={"Accept-Language": "zh-CN"})
    assert quote(f"Company {tenant.slug}-客户-{day}.xlsx") in zh.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(download.data)).active
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width  # the name gets room
    row = [c.value for c in sheet[2]]
    created = next(value for value in row if isinstance(value, datetime))  # a date cell, not text
    assert abs((created - datetime.now()).total_seconds()) < 24 * 3600
    labels = {str(value) for value in row if value}
    assert {"Finance", "Exhibition"} <= labels or {"金融", "展会"} <= labels  # the creator's language
    assert not {"finance", "exhibition", "21-100"} & labels
    others = next(value for value in row if isinstance(value, str) and "第二位" in value)
    assert others.splitlines() == ["第二位 13800000002 two@example.com", "第三位 13800000003"]
