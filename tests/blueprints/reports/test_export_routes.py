"""The report and dashboard export buttons (POST /reports/export): the page's scope goes along, the job is queued
with it, the progress partial answers; bad input is named in the partial; any staff member may export a report;
the file is named by the company, the report's title and the day."""
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import STAFF_PASSWORD, login
from tests.workers.report_scene import NOVEMBER, pdf_text, run_and_download, won_scene


def _stored(factory, tenant, export_id):
    from crm_saas.blueprints.exports.models import Export
    from crm_saas.extensions import db

    def read():
        export = db.session.get(Export, export_id)
        return export.kind, export.format, export.report, export.filters

    return factory._run(tenant, read)


@pytest.fixture
def forget(app, tenant):
    """Take this company's queued jobs off the shared queue (no other test's worker runs them)."""
    from sqlalchemy import select

    from crm_saas.blueprints.exports.models import Export
    from crm_saas.core.queue import export_queue
    from crm_saas.extensions import db
    from crm_saas.tenants.binding import tenant_context

    yield
    with app.app_context(), tenant_context(tenant.schema_name):
        for job_id in db.session.scalars(select(Export.job_id)):
            export_queue().remove(job_id)


def test_the_scope_goes_along_with_the_export(tenant, factory, admin_client, forget):
    answer = admin_client.post("/reports/export", data={
        "report": "sales-by-owner", "format": "pdf", "range": "month", "from": "2026-11-20", "province": "广东省",
        "sort": "-won_amount"})
    assert answer.status_code == 200 and 'id="export-progress"' in answer.text and "<progress" in answer.text
    export_id = int(re.search(r"/exports/(\d+)", answer.text).group(1))
    assert _stored(factory, tenant, export_id) == ("report", "pdf", "sales-by-owner", {
        "range": "month", "from": "2026-11-01", "province": "广东省", "sort": "-won_amount"})

    custom = admin_client.post("/reports/export", data={"report": "dashboard", "format": "xlsx",
                                                        "from": "2026-10-03", "to": "2026-11-02", "sort": "nothing"})
    export_id = int(re.search(r"/exports/(\d+)", custom.text).group(1))
    assert _stored(factory, tenant, export_id) == ("report", "xlsx", "dashboard", {
        "range": "custom", "from": "2026-10-03", "to": "2026-11-02"})  # a sort the report lacks is dropped


def test_bad_input_is_named_in_the_partial(admin_client):
    for data, message in (
        ({"report": "profits", "format": "pdf"}, "Choose a report from the list."),
        ({"report": "funnel", "format": "docx"}, "Choose Excel or PDF."),
        ({"report": "funnel", "format": "pdf", "from": "yesterday"}, "Enter a date as YYYY-MM-DD."),
        ({"report": "funnel", "format": "pdf", "range": "custom"}, "Enter a start date for a custom period."),
    ):
        answer = admin_client.post("/reports/export", data=data)
        assert answer.status_code == 422 and 'id="export-progress"' in answer.text
        assert message in answer.text and "<progress" not in answer.text


def test_a_rep_exports_a_report_of_what_they_see(app, tenant, factory, client_for):
    won_scene(factory, tenant)
    client = client_for(tenant)
    assert login(client, "li", STAFF_PASSWORD).status_code == 302
    answer = client.post("/reports/export", data={"report": "sales-by-owner", "format": "pdf", **NOVEMBER})
    assert answer.status_code == 200
    export_id = int(re.search(r"/exports/(\d+)", answer.text).group(1))
    download = run_and_download(app, tenant, client, export_id)
    day = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert f'filename="Company {tenant.slug}-Sales by rep-{day}.pdf"' in download.headers["Content-Disposition"]
    assert download.mimetype == "application/pdf"
    text = pdf_text(download.data)
    assert "李四" in text and "张三" not in text


def test_the_dashboard_file_is_named_for_the_dashboard(app, tenant, factory, admin_client):
    won_scene(factory, tenant)
    answer = admin_client.post("/reports/export", data={"report": "dashboard", "format": "xlsx", **NOVEMBER})
    download = run_and_download(app, tenant, admin_client, int(re.search(r"/exports/(\d+)", answer.text).group(1)))
    assert f"Company {tenant.slug}-Dashboard-" in download.headers["Content-Disposition"]
    assert download.headers["Content-Disposition"].endswith('.xlsx"')


def test_the_dashboard_carries_its_scope_in_the_buttons(admin_client):
    page = admin_client.get("/dashboard", query_string={"range": "month", "from": "2026-11-01", "city": "深圳市"})
    assert page.status_code == 200
    form = re.search(r'<div id="report-export".*?</form>', page.text, re.S).group(0)
    assert 'hx-post="/reports/export"' in form
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))
    assert hidden["report"] == "dashboard"
    assert (hidden["range"], hidden["from"], hidden["city"]) == ("month", "2026-11-01", "深圳市")
    assert re.findall(r'name="format" value="(\w+)"', form) == ["xlsx", "pdf"]


def test_with_the_queue_down_nothing_starts(admin_client, monkeypatch):
    from crm_saas.blueprints.reports import export_routes
    from crm_saas.core.jobs import QueueUnavailable

    def down(*args, **kwargs):
        raise QueueUnavailable("no redis")

    monkeypatch.setattr(export_routes, "start_export", down)
    answer = admin_client.post("/reports/export", data={"report": "funnel", "format": "pdf"})
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "60"
    assert "job queue cannot be reached" in answer.text
