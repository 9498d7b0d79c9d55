"""A report or the dashboard to Excel or PDF, made by the worker: the page's buttons post here
(reports/_export_buttons.html) and get the progress bar and download link of any export (exports/_progress.html).

Any staff member may export a report they can open: its figures are
counted for them, under the one visibility rule, as on the page. The
export keeps the scope's arguments (``scope.args()``, the period pinned by
``from``), so the file shows the period the page showed.
"""
from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm_saas.blueprints.exports.models import FORMATS
from crm_saas.blueprints.exports.services import QUEUE_DOWN, REPORT_TITLES, start_export
from crm_saas.blueprints.reports.blueprint import bp
from crm_saas.blueprints.reports.services.extras import extra_args, read_report_scope
from crm_saas.blueprints.reports.services.printable import DASHBOARD, DASHBOARD_TITLE
from crm_saas.blueprints.reports.services.registry import get_report
from crm_saas.blueprints.reports.services.scope import read_scope
from crm_saas.core.errors import FieldErrors
from crm_saas.core.jobs import QueueUnavailable

PROGRESS = "exports/_progress.html"


def report_title(key):
    """A report's title (or the dashboard's) in the reader's language: the exports feature names files with it."""
    if key == DASHBOARD:
        return str(DASHBOARD_TITLE)
    report = get_report(key)
    return str(report.title) if report is not None else None


def _name_report_files(state):
    """Exports stand below reports and cannot import them: they ask the app for a report's title instead."""
    state.app.extensions[REPORT_TITLES] = report_title


bp.record_once(_name_report_files)  # when the blueprint is registered on an app, not at import


def export_errors(key, fmt):
    """What is wrong with the asked report and format, by field name."""
    errors = {}
    if key != DASHBOARD and get_report(key) is None:
        errors["report"] = [_("Choose a report from the list.")]
    if fmt not in FORMATS:
        errors["format"] = [_("Choose Excel or PDF.")]
    return errors


@bp.route("/reports/export", methods=["POST"])
@login_required
def export():
    """Queue the export of the report (``report``: a key, or "dashboard") as ``format``, for the posted scope."""
    form = request.form
    key, fmt = (form.get("report") or "").strip(), (form.get("format") or "xlsx").strip()
    errors = export_errors(key, fmt)
    report = get_report(key)
    try:  # a report's own arguments (days, pipeline_id) go along, so the file holds what the page showed
        scope = read_report_scope(current_user, report, form) if report else read_scope(current_user, form)
    except FieldErrors as err:
        errors.update(err.errors)
    if errors:
        messages = [str(message) for field in errors.values() for message in field]
        return render_template(PROGRESS, export=None, errors=messages), 422
    filters = scope.args(**extra_args(scope))
    if report is not None and report.column((form.get("sort") or "").lstrip("-")) is not None:
        filters["sort"] = form["sort"]  # the order the table was read in
    try:
        started = start_export("report", filters, actor=current_user, format=fmt, report=key)
    except QueueUnavailable:
        return render_template(PROGRESS, export=None, unavailable=QUEUE_DOWN), 503, {"Retry-After": "60"}
    return render_template(PROGRESS, export=started)
