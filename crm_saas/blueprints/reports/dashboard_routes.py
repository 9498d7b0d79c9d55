"""The dashboard (the home page) and the list behind any figure, plus what the scope filter bar shows.

``/dashboard`` answers the whole page, or its ``_dashboard.html`` body for
the filter bar's htmx requests (``core.htmx.render``). ``/reports/records/
<measure>`` lists the records a figure counts, with the figure's scope.
Filters that do not read are shown beside the bar (422), never guessed.
"""
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlencode

from flask import abort, request, url_for
from flask_babel import format_date
from flask_login import current_user, login_required

from crm_saas.blueprints.customers.services import codes
from crm_saas.blueprints.pipeline.services import onboarding
from crm_saas.blueprints.reports.blueprint import bp
from crm_saas.blueprints.reports.services import drill
from crm_saas.blueprints.reports.services.dashboard import build_dashboard
from crm_saas.blueprints.reports.services.scope import RANGES, company_today, period_of, read_scope
from crm_saas.core import regions
from crm_saas.core.errors import FieldErrors
from crm_saas.core.htmx import is_htmx, render
from crm_saas.core.staff import leads_people, picked_person


def scope_or_errors(args):
    """``(scope, errors)``: the scope the arguments ask for, or the default scope and what could not be read."""
    try:
        return read_scope(current_user, args), {}
    except FieldErrors as err:
        return read_scope(current_user, {}), {key: [str(m) for m in messages] for key, messages in err.errors.items()}


@bp.route("/dashboard")
@login_required
def dashboard():
    scope, errors = scope_or_errors(request.args)
    board = build_dashboard(scope)
    return render("reports/dashboard.html", "reports/_dashboard.html", dashboard=board, scope=scope,
                  scope_errors=errors, filters_url=url_for("reports.dashboard"), filters_target="#dashboard-body",
                  onboarding=None if is_htmx() else onboarding.checklist(current_user)), 422 if errors else 200


@bp.route("/reports/records/<measure>")
@login_required
def records(measure):
    """The records behind a figure (``measure`` with the figure's scope and arguments), 50 a page."""
    if drill.get_measure(measure) is None:
        abort(404)
    scope, errors = scope_or_errors(request.args)
    try:
        found = drill.records(measure, scope, request.args, request.args.get("page", 1, type=int) or 1)
    except FieldErrors:  # a measure's own argument it could not read (a report's period, say): no such list
        found = None
    if found is None:
        abort(404)
    params = {key: value for key, value in found.params.items() if value is not None}
    return render("reports/records.html", "reports/_records.html", records=found, scope=scope, scope_errors=errors,
                  link_args={**scope.args(), **params}, codes=codes,
                  filters_url=url_for("reports.records", measure=measure), filters_target="#records-body",
                  filters_extra=params), 422 if errors else 200


@bp.app_template_filter()
def drill_url(link):
    """The list behind a figure from its link (a chart's ``links[i]``: ``measure`` and query arguments)."""
    return url_for("reports.records", **link) if link else None


# --- the scope filter bar (reports/_scope_filters.html), on every page that includes it ---

@bp.app_template_global()
def scope_url(url, args, extra=None):
    """``url`` asking for ``args`` (and ``extra``), the empty ones left out."""
    values = {**(extra or {}), **args}
    query = urlencode({k: v for k, v in values.items() if v not in (None, "")})
    return f"{url}?{query}" if query else url


@bp.app_template_global()
def scope_filter_kit(scope):
    """What the filter bar shows beside the scope: the ranges, the periods either side, the region's lists,
    the people chosen (pickers only for those who see more than themselves)."""
    before = scope.previous()
    if scope.range == "custom":
        after = replace(scope, first=scope.last + timedelta(days=1), last=scope.last + timedelta(days=scope.days))
    else:
        first, last = period_of(scope.range, scope.last + timedelta(days=1))
        after = replace(scope, first=first, last=last)
    pickers = leads_people(current_user)
    return {
        "ranges": RANGES, "previous": before.args(), "next": after.args() if after.first <= company_today() else None,
        "period_text": period_text(scope), "provinces": regions.provinces(),
        "cities": regions.cities(scope.province) if scope.province else [],
        "pickers": pickers,
        "owner": picked_person(current_user, "visible", scope.owner_id) if pickers else None,
        "team": picked_person(current_user, "leaders", scope.team_id) if pickers else None,
    }


@bp.app_template_global()
def period_text(scope):
    if scope.first == scope.last:
        return format_date(scope.first, "medium")
    return f"{format_date(scope.first, 'medium')} – {format_date(scope.last, 'medium')}"
