"""Report exports (issue 16): the export job's writers beside the libraries alone, on the reports bench's data.

A report or the dashboard as xlsx and as PDF: ``write_book`` / ``write_pdf`` of the report's printable (what
the RQ job runs after counting the figures) beside xlsxwriter alone writing the same tables and charts, and
WeasyPrint alone rendering the HTML the writer rendered, with the same fonts. ``job`` is ``write_report``:
the figures counted again for the requester, then the file.
"""
import tempfile
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import xlsxwriter
from flask import g

from bench import supervisor
from bench.timing import median_ms

# What the exports bench writes: a report table over the year as the supervisor (one row per person of their
# 330), and this month's dashboard (cards, targets and four charts) as the admin. The admin's table has one row
# per rep (2,000): its PDF takes ~20 s in WeasyPrint alone (bench/README.md), too long to time here in runs.
EXPORTS = (("sales-by-owner", "year", "supervisor"), ("dashboard", "month", "admin"))


def export_rows(app, db, schema, viewers, periods, runs, log):
    """Each export as xlsx and PDF: the job's writer (``write_book`` / ``write_pdf`` of the report's printable)
    beside xlsxwriter alone writing the same tables and charts and WeasyPrint alone rendering the HTML the
    writer rendered; ``job`` adds counting the figures (``write_report``, the whole job but its row)."""
    from crm_saas.blueprints.reports.services import report_pdf
    from crm_saas.blueprints.reports.services.report_book import write_book
    from crm_saas.workers.report_exports import printable_of, write_report

    periods = dict(periods)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for key, period, who in EXPORTS:
            with _as_viewer(app, db, schema, viewers[who]) as user:
                for fmt in ("xlsx", "pdf"):
                    log(f"export {key} ({period}, {who}) as {fmt}")
                    export = SimpleNamespace(filters=periods[period], created_by=user, report=key, format=fmt)
                    path = str(Path(folder) / f"{key}.{fmt}")
                    printable = printable_of(export)
                    if fmt == "xlsx":
                        writer, floor = partial(write_book, path, printable), partial(bare_book, path, printable)
                        what = "xlsxwriter alone: same cells and charts"
                    else:
                        writer = partial(report_pdf.write_pdf, path, printable)
                        floor = bare_pdf(report_pdf, path, printable)
                        what = "WeasyPrint alone: the writer's HTML, same fonts"
                    writer_ms = median_ms(writer, runs=runs, warmup=1)
                    floor_ms = median_ms(floor, runs=runs, warmup=1)
                    job_ms = median_ms(partial(write_report, path, export), runs=runs, warmup=1)
                    rows.append((f"export {key} ({period}, {who}) as {fmt}, {printable.rows:,} rows, "
                                 f"{Path(path).stat().st_size // 1024:,} KB", f"writer {writer_ms:7.1f} ms",
                                 f"floor {floor_ms:6.1f} ms", f"ratio {writer_ms / floor_ms:5.2f}",
                                 f"[job {job_ms:.1f} ms with the figures; {what}]"))
    return rows


@contextmanager
def _as_viewer(app, db, schema, viewer_id, locale="zh_CN"):
    """A request as ``viewer_id`` in the tenant, in ``locale`` (as the export job runs: the requester's)."""
    from flask_babel import force_locale

    from crm_saas.core.users import User
    from crm_saas.tenants.binding import tenant_context

    base_url = f"http://{supervisor.TREE_SLUG}.{app.config['CRM_BASE_DOMAIN']}"
    with app.test_request_context("/", base_url=base_url), tenant_context(schema), force_locale(locale):
        user = db.session.get(User, viewer_id)
        g._login_user = user
        yield user
        db.session.rollback()


def bare_book(path, printable):
    """xlsxwriter alone: each section's header, cells (numbers as numbers) and one chart over them, nothing else."""
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet("Report")
    row = 0
    for section in printable.sections:
        keys = [column.key for column in section.columns]
        sheet.write_row(row, 0, [str(column.label) for column in section.columns])
        for index, values in enumerate(section.rows, start=1):
            for col, key in enumerate(keys):
                value = values.get(key)
                if isinstance(value, str):
                    sheet.write_string(row + index, col, value)
                elif value is not None:
                    sheet.write_number(row + index, col, float(value))
        last = row + len(section.rows)
        if section.chart is not None and section.rows and section.chart.category in keys:
            chart = book.add_chart({"type": "column"})
            category = keys.index(section.chart.category)
            for key in section.chart.series:
                if key in keys:
                    col = keys.index(key)
                    chart.add_series({"name": ["Report", row, col], "values": ["Report", row + 1, col, last, col],
                                      "categories": ["Report", row + 1, category, last, category]})
            sheet.insert_chart(row, len(keys) + 1, chart)
        row = last + 2
    book.close()


def bare_pdf(report_pdf, path, printable):
    """WeasyPrint alone: the HTML ``write_pdf`` renders (captured once), with the same font faces, to a PDF."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    captured = {}
    real = report_pdf.HTML

    def capture(*args, **kwargs):
        captured.update(kwargs)
        return real(*args, **kwargs)

    report_pdf.HTML = capture
    try:
        report_pdf.write_pdf(path, printable)
    finally:
        report_pdf.HTML = real
    faces, folder = report_pdf.font_faces()

    def run():
        fonts = FontConfiguration()
        fetcher = report_pdf.FontsOnly(folder)
        HTML(string=captured["string"], url_fetcher=fetcher).write_pdf(
            path, stylesheets=[CSS(string=faces, font_config=fonts, url_fetcher=fetcher)], font_config=fonts)

    return run
