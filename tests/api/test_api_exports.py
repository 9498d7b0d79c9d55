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
    assert set(body) == {"id", "kind", "status", "progress", "error", "download_url"}
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
