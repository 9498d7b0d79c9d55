"""Report exports (issue 16.5): a report or the dashboard as a workbook holding the table and a native Excel chart,
and as a PDF whose text (read back with pypdf) holds the Chinese title and the figures, on a machine without a CJK
font of its own: the vendored Noto Sans SC is what makes the Chinese readable.

The writers are tested first against a small report built here from the catalogue's types (so they answer for
any report), then through the job with the real "sales-by-owner" report and the dashboard. The scene's numbers
are in tests/workers/report_scene.py.
"""
import io
import shutil
import subprocess
import zipfile

import pytest
from openpyxl import load_workbook

from tests.workers.report_scene import NOVEMBER, in_tenant, pdf_fonts, pdf_text, run_and_download, won_scene


def won_report():
    """A report of won deals per owner over the base statements, as any report module defines one."""
    from sqlalchemy import func

    from crm_saas.blueprints.pipeline.models import Deal
    from crm_saas.blueprints.reports.services import base
    from crm_saas.blueprints.reports.services.catalog import Chart, Column, Report, Result
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    def build(scope):
        stmt = (base.won_deals(scope).join(User, User.id == Deal.owner_id)
                .with_only_columns(User.name, func.count(), func.sum(Deal.amount)).group_by(User.name)
                .order_by(func.sum(Deal.amount).desc()))
        rows = [{"owner": name, "won_count": count, "won_amount": amount, "share": None}
                for name, count, amount in db.session.execute(stmt)]
        total = sum(row["won_amount"] for row in rows)
        for row in rows:
            row["share"] = round(row["won_amount"] * 100 / total, 1)
        return Result(rows, {"won_count": sum(r["won_count"] for r in rows), "won_amount": total})

    columns = (Column("owner", "负责人", "text"), Column("won_count", "成交数", "int"),
               Column("won_amount", "成交金额", "money"), Column("share", "占比", "percent"))
    return Report("test-won", "成交测试报表", "", columns, Chart("bar", "owner", ("won_amount", "share")), build)


def _printable(user):
    from crm_saas.blueprints.reports.services.printable import of_report
    from crm_saas.blueprints.reports.services.scope import read_scope

    report = won_report()
    scope = read_scope(user, NOVEMBER)
    return of_report(report, scope, report.build(scope))


def test_the_pdf_reads_the_chinese_title_and_the_figures(app, tenant, factory, tmp_path):
    from crm_saas.blueprints.reports.services.report_pdf import write_pdf

    won_scene(factory, tenant)
    path = tmp_path / "report.pdf"
    assert in_tenant(app, tenant, "admin", lambda user: write_pdf(str(path), _printable(user))) == 2
    data = path.read_bytes()
    text = pdf_text(data)
    assert "成交测试报表" in text and "负责人" in text  # the title and the table's header, in Chinese
    assert "张三" in text and "李四" in text
    assert "13,345.50" in text and "500.00" in text and "13,845.50" in text  # each owner's won amount, the total
    assert "96.4%" in text  # 张三's share: 13,345.50 of 13,845.50
    assert "2026-11-01" in text and "2026-11-30" in text  # the filters line: the period
    fonts = pdf_fonts(data)
    assert fonts and all(name.startswith("Noto-Sans-SC") for name in fonts), fonts  # the vendored font, only
    assert len(data) < 150_000  # the fonts are subset: a few glyphs, not two 5 MB faces


def _has_cjk_system_font():
    if not shutil.which("fc-list"):
        return False
    return bool(subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip())


@pytest.mark.skipif(_has_cjk_system_font(), reason="this machine has a Chinese font of its own")
def test_without_the_vendored_font_the_chinese_would_be_lost(app, tenant, factory, tmp_path):
    """What the vendored font is for: the same page rendered with the system's fonts alone loses the Chinese."""
    from flask import render_template
    from weasyprint import HTML

    from crm_saas.blueprints.reports.services import report_pdf

    won_scene(factory, tenant)

    def bare(user):
        printable = _printable(user)
        html = render_template("reports/print.html", doc=printable, lang="zh-CN",
                               sections=[report_pdf._table(s) for s in printable.sections])
        return HTML(string=html).write_pdf()

    text = pdf_text(in_tenant(app, tenant, "admin", bare))
    assert "成交测试报表" not in text and "张三" not in text  # .notdef boxes where the Chinese was


def test_the_workbook_holds_the_table_and_a_native_chart_of_it(app, tenant, factory, tmp_path):
    from crm_saas.blueprints.reports.services.report_book import write_book

    won_scene(factory, tenant)
    path = tmp_path / "report.xlsx"
    assert in_tenant(app, tenant, "admin", lambda user: write_book(str(path), _printable(user))) == 2
    sheet = load_workbook(path).active
    assert sheet.title == "成交测试报表"
    assert sheet["A1"].value == "成交测试报表" and "2026-11-01" in sheet["A2"].value
    table = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4, max_row=7, max_col=4)]
    assert table[0] == ["负责人", "成交数", "成交金额", "占比"]
    assert table[1] == ["张三", 2, 13345.5, 96.4] and table[2] == ["李四", 1, 500, 3.6]
    assert table[3][1:3] == [3, 13845.5] and table[3][0] in ("Total", "合计")  # the totals row
    assert sheet["C5"].number_format == "#,##0.00" and sheet["D5"].number_format == '0.0"%"'  # numbers, formatted
    charts = sheet._charts
    assert len(charts) == 1
    chart = charts[0]
    assert (chart.tagname, chart.type) == ("barChart", "col")  # catalogue "bar" is Excel's column chart
    values = [series.val.numRef.f.replace("'", "") for series in chart.series]
    category = chart.series[0].cat.strRef or chart.series[0].cat.numRef
    assert values[0] == "成交测试报表!$C$5:$C$6" and category.f.replace("'", "") == "成交测试报表!$A$5:$A$6"  # cells
    with zipfile.ZipFile(path) as book:  # the share too, on an axis of its own (a rate beside amounts)
        xml = book.read("xl/charts/chart1.xml").decode()
    assert "$D$5:$D$6" in xml and xml.count("<c:valAx>") == 2


def _export(client, report, fmt, **scope):
    response = client.post("/reports/export", data={"report": report, "format": fmt, **NOVEMBER, **scope})
    assert response.status_code == 200, response.text
    import re

    return int(re.search(r"/exports/(\d+)", response.text).group(1))


def test_sales_by_owner_through_the_worker_as_pdf_and_xlsx(app, tenant, factory, admin_client):
    won_scene(factory, tenant)
    pdf = run_and_download(app, tenant, admin_client, _export(admin_client, "sales-by-owner", "pdf"))
    assert pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert "张三" in text and "13,345.50" in text and "13,845.50" in text
    assert "销售代表业绩" in text  # the title, in the requester's language (zh by default)

    book = run_and_download(app, tenant, admin_client, _export(admin_client, "sales-by-owner", "xlsx"))
    sheet = load_workbook(io.BytesIO(book.data)).active
    cells = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "张三" in cells and 13345.5 in cells and 13845.5 in cells
    assert len(sheet._charts) == 1


def test_a_rep_exports_only_what_they_see(app, tenant, factory, client_for):
    from tests.conftest import STAFF_PASSWORD, login

    won_scene(factory, tenant)
    client = client_for(tenant)
    assert login(client, "li", STAFF_PASSWORD).status_code == 302
    text = pdf_text(run_and_download(app, tenant, client, _export(client, "sales-by-owner", "pdf")).data)
    assert "李四" in text and "500.00" in text
    assert "张三" not in text and "13,345.50" not in text and "13,845.50" not in text


def test_the_dashboard_exports_its_cards_and_charts(app, tenant, factory, admin_client):
    won_scene(factory, tenant)
    book = run_and_download(app, tenant, admin_client, _export(admin_client, "dashboard", "xlsx"))
    sheet = load_workbook(io.BytesIO(book.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    won = next(row for row in rows if row[0] == "成交金额")
    assert won[1] == 13845.5  # November's won amount, this period's column
    assert len(sheet._charts) >= 3  # trend, funnel, won by rep, sources (those with data)
    pdf = run_and_download(app, tenant, admin_client, _export(admin_client, "dashboard", "pdf"))
    text = pdf_text(pdf.data)
    assert "13,845.50" in text and "张三" in text


def test_a_real_worker_process_makes_the_pdf(app, tenant, factory, admin_client, monkeypatch):
    """The job in `crm-saas worker` (a forked work horse, its own instance folder for the unpacked fonts)."""
    import re
    import time

    from tests.workers.test_job_failures import run_burst_worker

    monkeypatch.setitem(app.config, "CRM_EXPORT_QUEUE", f"{app.config['CRM_EXPORT_QUEUE']}-report-worker-test")
    won_scene(factory, tenant)
    export_id = _export(admin_client, "sales-by-owner", "pdf")
    run_burst_worker(app)
    deadline = time.time() + 30
    while "export-download" not in (progress := admin_client.get(f"/exports/{export_id}").text):
        assert time.time() < deadline, progress
        time.sleep(0.2)
    download = admin_client.get(re.search(r'href="([^"]+/download)"', progress).group(1))
    assert "张三" in pdf_text(download.data) and "13,845.50" in pdf_text(download.data)
