"""A report or the dashboard as a file: the figures read again as the requester sees them, then written.

The job stores the scope's arguments (``scope.args()``: the period is
fixed by ``from``), so an export queued before midnight still means the
period the requester was looking at. The figures are counted for the
requester, under the one visibility rule, like the page they clicked on.
"""
from crm_saas.blueprints.reports.services.catalog import sort_rows
from crm_saas.blueprints.reports.services.dashboard import build_dashboard
from crm_saas.blueprints.reports.services.extras import read_report_scope
from crm_saas.blueprints.reports.services.printable import DASHBOARD, of_dashboard, of_report
from crm_saas.blueprints.reports.services.registry import get_report
from crm_saas.blueprints.reports.services.report_book import write_book
from crm_saas.blueprints.reports.services.report_pdf import write_pdf
from crm_saas.blueprints.reports.services.scope import read_scope


class UnknownReport(LookupError):
    """The export names a report the app no longer has (renamed since it was queued)."""


def printable_of(export):
    """What the export holds: the report's (or dashboard's) figures for its requester and stored filters."""
    filters = export.filters or {}
    if export.report == DASHBOARD:
        return of_dashboard(build_dashboard(read_scope(export.created_by, filters)))
    report = get_report(export.report)
    if report is None:
        raise UnknownReport(export.report)
    scope = read_report_scope(export.created_by, report, filters)
    result = report.build(scope)
    result.rows = sort_rows(report, result.rows, filters.get("sort"))
    return of_report(report, scope, result)


def write_report(path, export, progress=lambda percent: None):
    """Write the export's report as xlsx or PDF (its ``format``); returns the number of table rows."""
    printable = printable_of(export)
    progress(50)  # the figures are counted; writing the file is the rest
    return (write_pdf if export.format == "pdf" else write_book)(path, printable)
