"""POST /api/v1/exports with the kinds of issue 16: deals, activities, a report or the dashboard (xlsx or PDF);
each kind's filters checked (422 naming each bad one), a report open to every staff member, lists to the export
right; the PDF downloaded as a PDF; all in the OpenAPI document."""
import io

from openpyxl import load_workbook

from tests.api.test_api_exports import _job_id, forget_jobs  # noqa: F401  (the fixture)
from tests.api_client import run_export_here
from tests.workers.report_scene import NOVEMBER, pdf_text, won_scene


def _queued(app, tenant, forget_jobs, response):  # noqa: F811
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    forget_jobs.append(_job_id(app, tenant, body["id"]))
    return body


def test_a_report_as_pdf(app, tenant, factory, admin_api, forget_jobs):  # noqa: F811
    won_scene(factory, tenant)
    body = _queued(app, tenant, forget_jobs, admin_api.post("/exports", json={
        "kind": "report", "report": "sales-by-owner", "format": "pdf", "filters": NOVEMBER}))
    assert (body["kind"], body["format"], body["report"], body["status"]) == ("report", "pdf", "sales-by-owner", "queued")
    assert run_export_here(app, tenant, body["id"]) == 2  # two owners in the table
    done = admin_api.get(f"/exports/{body['id']}").get_json()
    response = admin_api.get(done["download_url"])
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert ".pdf" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    assert "张三" in text and "13,345.50" in text and "13,845.50" in text


def test_the_dashboard_as_xlsx_and_the_stored_scope(app, tenant, factory, admin_api, forget_jobs):  # noqa: F811
    from crm_saas.blueprints.exports.models import Export
    from crm_saas.extensions import db

    won_scene(factory, tenant)
    body = _queued(app, tenant, forget_jobs, admin_api.post("/exports", json={
        "kind": "report", "report": "dashboard", "filters": {"range": "month", "from": "2026-11-15"}}))
    assert body["format"] == "xlsx"
    stored = factory._run(tenant, lambda: db.session.get(Export, body["id"]).filters)
    assert stored == {"range": "month", "from": "2026-11-01"}  # scope.args(): the month holding the 15th
    run_export_here(app, tenant, body["id"])
    response = admin_api.get(admin_api.get(f"/exports/{body['id']}").get_json()["download_url"])
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert 13845.5 in [cell.value for row in sheet.iter_rows() for cell in row] and sheet._charts


def test_deals_and_activities_take_their_lists_filters(app, tenant, factory, admin_api, forget_jobs):  # noqa: F811
    won_scene(factory, tenant)
    deals = _queued(app, tenant, forget_jobs, admin_api.post("/exports", json={
        "kind": "deals", "filters": {"amount_min": "900", "sort": "-amount", "close_to": "2027-01-31"}}))
    assert run_export_here(app, tenant, deals["id"]) == 0  # none has an expected close date
    deals = _queued(app, tenant, forget_jobs, admin_api.post("/exports", json={
        "kind": "deals", "filters": {"amount_min": "900", "sort": "-amount"}}))
    assert run_export_here(app, tenant, deals["id"]) == 2  # 12,345.50 and 1,000.00 (not 800 nor 500)
    rows = list(load_workbook(io.BytesIO(admin_api.get(
        admin_api.get(f"/exports/{deals['id']}").get_json()["download_url"]).data)).active.values)
    assert [row[0] for row in rows[1:]] == ["大单", "小单"]
    follow_ups = _queued(app, tenant, forget_jobs, admin_api.post("/exports", json={
        "kind": "activities", "filters": {"type": "visit", "from": "2026-11-01", "to": "2026-11-30"}}))
    assert run_export_here(app, tenant, follow_ups["id"]) == 0


def test_bad_requests_name_each_bad_field(admin_api):
    def errors(**body):
        response = admin_api.post("/exports", json=body)
        assert response.status_code == 422, response.get_json()
        return sorted(response.get_json()["errors"])

    assert errors(kind="customers", format="pdf") == ["format"]
    assert errors(kind="deals", format="docx") == ["format"]
    assert errors(kind="report") == ["report"]
    assert errors(kind="report", report="profits") == ["report"]
    assert errors(kind="deals", report="funnel") == ["report"]
    assert errors(kind="report", report="funnel", filters={"range": "year", "from": "11/01", "owner_id": "him"}) \
        == ["filters.from", "filters.owner_id", "filters.range"]
    assert errors(kind="report", report="funnel", filters={"range": "custom"}) == ["filters.from"]
    assert errors(kind="report", report="funnel", filters={"colour": "red"}) == ["filters.colour"]
    assert errors(kind="report", report="funnel", filters={"sort": "-profit"}) == ["filters.sort"]
    assert errors(kind="deals", filters={"amount_min": "lots", "colour": "red"}) == ["filters.amount_min",
                                                                                      "filters.colour"]
    assert errors(kind="activities", filters={"type": "fax", "from": "yesterday"}) == ["filters.from", "filters.type"]
    assert errors(kind="customers", filters={"colour": "red"}) == ["filters.colour"]


def test_any_staff_member_may_export_a_report_but_not_a_list(app, tenant, factory, api_for, forget_jobs):  # noqa: F811
    won_scene(factory, tenant)
    rep = api_for(tenant, "li")
    assert rep.post("/exports", json={"kind": "deals"}).status_code == 403
    assert rep.post("/exports", json={"kind": "activities"}).status_code == 403
    body = _queued(app, tenant, forget_jobs, rep.post("/exports", json={
        "kind": "report", "report": "sales-by-owner", "format": "pdf", "filters": NOVEMBER}))
    run_export_here(app, tenant, body["id"])
    text = pdf_text(rep.get(rep.get(f"/exports/{body['id']}").get_json()["download_url"]).data)
    assert "李四" in text and "500.00" in text and "张三" not in text  # the figures the rep sees, no more


def test_the_openapi_document_describes_the_kinds(client_for, tenant):
    spec = client_for(tenant).get("/api/v1/openapi.json").get_json()
    request = spec["paths"]["/api/v1/exports"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    name = request["$ref"].rsplit("/", 1)[-1]
    properties = spec["components"]["schemas"][name]["properties"]
    assert set(properties["kind"]["enum"]) == {"customers", "deals", "activities", "report", "all"}
    assert properties["format"]["enum"] == ["xlsx", "pdf"] and "report" in properties
    refs = {one["$ref"].rsplit("/", 1)[-1] for one in properties["filters"]["oneOf"]}
    assert refs == {"CustomerFilters", "DealExportFilters", "ActivityExportFilters", "ReportExportFilters"}
    assert refs <= set(spec["components"]["schemas"])
    assert {"range", "from", "to", "province", "city", "owner_id", "team_id"} <= set(
        spec["components"]["schemas"]["ReportExportFilters"]["properties"])
    download = spec["paths"]["/api/v1/exports/{export_id}/download"]["get"]["responses"]["200"]["content"]
    assert "application/pdf" in download
