"""The report centre (H2): the list of reports, and each report as a chart and a sortable table.

Nothing here knows a report by name: ``/reports/<key>`` reads the
registry's ``Report``, the scope and the report's own arguments
(``services.extras``), builds its ``Result`` and shows it, under the scope
filter bar, with the chart (``services.charting``), the table
(``report_display``) and the export buttons. The filter bar, a sort and a
report argument swap the body (``reports/_report.html``) by htmx; arguments
that do not read are shown beside the bar (422) and the report shows the
default in their place, never a guess.
"""
from dataclasses import replace

from flask import abort, render_template, request, url_for
from flask_login import current_user, login_required

from crm_saas.blueprints.reports.blueprint import bp
from crm_saas.blueprints.reports.report_display import SHOWN_ROWS, build_table
from crm_saas.blueprints.reports.services.charting import chart_data
from crm_saas.blueprints.reports.services.extras import extra_args, read_extras
from crm_saas.blueprints.reports.services.registry import all_reports, get_report
from crm_saas.blueprints.reports.services.scope import read_scope
from crm_saas.core.errors import FieldErrors
from crm_saas.core.htmx import render


@bp.route("/reports/")
@login_required
def centre():
    return render_template("reports/centre.html", reports=list(all_reports().values()))


def report_scope(report, args):
    """``(scope, errors)``: the scope and report arguments asked for; each one that does not read is named in
    ``errors`` and replaced by its default, the others kept."""
    errors = {}
    try:
        scope = read_scope(current_user, args)
    except FieldErrors as err:
        scope, errors = read_scope(current_user, {}), dict(err.errors)
    try:
        extra = read_extras(report, args)
    except FieldErrors as err:
        errors.update(err.errors)
        extra = read_extras(report, {key: value for key, value in args.items() if key not in err.errors})
    return replace(scope, extra=extra), {key: [str(m) for m in messages] for key, messages in errors.items()}


def _sort(report, raw):
    """A sort the table offers (a sortable column, ``key`` or ``-key``), else the report's own order."""
    column = report.column((raw or "").lstrip("-"))
    return raw if column is not None and column.sortable else report.default_sort


@bp.route("/reports/<key>")
@login_required
def report(key):
    found = get_report(key)
    if found is None:
        abort(404)
    scope, errors = report_scope(found, request.args)
    sort = _sort(found, request.args.get("sort"))
    result = found.build(scope)
    every_row = request.args.get("all") == "1"
    keep = {**extra_args(scope), **({"all": 1} if every_row else {})}
    return render(
        "reports/report.html", "reports/_report.html", report=found, result=result, scope=scope, sort=sort,
        table=build_table(found, result, scope, sort, None if every_row else SHOWN_ROWS),
        chart=chart_data(found, result, scope),
        extras=[(extra, scope.extra.get(extra.name)) for extra in found.extras], kept=keep,
        scope_errors=errors, filters_url=url_for("reports.report", key=found.key), filters_target="#report-body",
        filters_extra={"sort": sort if sort != found.default_sort else None, **keep},
    ), 422 if errors else 200
