"""Sales targets' page (业绩目标) and the weekly summary's switch.

``/reports/targets/manage``: a month or quarter, and a grid of the people and
teams the viewer may set targets for; a row is edited in place (htmx swaps
``_target_row.html``: the row reads, or edits with each refusal beside its
field) and its targets are removed one by one. Reps set no targets (403).
``/reports/subscription`` switches the weekly summary on or off and answers
the switch itself (``_subscription.html``), wherever it is shown.
"""
from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm_saas.blueprints.reports.blueprint import bp
from crm_saas.blueprints.reports.models import METRICS
from crm_saas.blueprints.reports.services import target_grid
from crm_saas.blueprints.reports.services.scope import company_today
from crm_saas.blueprints.reports.services.subscriptions import (
    SubscriptionError,
    set_subscription,
    subscription_state,
)
from crm_saas.blueprints.reports.services.target_periods import (
    METRIC_KINDS,
    METRIC_LABELS,
    is_quarter,
    period_bounds,
    period_holding,
    shift,
    valid_period,
)
from crm_saas.blueprints.reports.services.targets import (
    TargetError,
    delete_target,
    get_visible_target,
    may_change,
    may_set_targets,
)
from crm_saas.core.htmx import is_htmx, redirect_to, render
from crm_saas.core.views import found_or_404, safe_next

ROW = "reports/_target_row.html"


def _manager_only():
    if not may_set_targets(current_user):
        abort(403)


def _period(raw):
    """The period asked for, else this month (and the refusal, to show beside the picker)."""
    raw = (raw or "").strip()
    if raw and valid_period(raw):
        return raw, None
    default = period_holding(company_today())
    return default, (_("Enter a month as YYYY-MM or a quarter as YYYY-Qn.") if raw else None)


def _context(period):
    return {"period": period, "metrics": METRICS, "labels": METRIC_LABELS, "kinds": METRIC_KINDS}


@bp.route("/reports/targets/manage")
@login_required
def targets():
    _manager_only()
    period, problem = _period(request.args.get("period"))
    q = request.args.get("q", "").strip()
    page = request.args.get("page", type=int) or 1
    rows, total, page, pages = target_grid.grid(current_user, period, q, page)
    first = period_bounds(period)[0]
    switch = {"month": period_holding(first), "quarter": period_holding(first, quarter=True)}
    return render("reports/targets.html", "reports/_targets_grid.html", rows=rows, total=total, page=page,
                  pages=pages, q=q, problem=problem, previous=shift(period, -1), next=shift(period, 1),
                  quarter=is_quarter(period), switch=switch, weekly_summary=subscription_state(current_user),
                  **_context(period))


def _row_or_error(kind, holder_id, period):
    if kind not in target_grid.KINDS:
        abort(404)
    row = target_grid.grid_row(current_user, kind, holder_id, period)
    if row is None:
        abort(403 if target_grid.holder_visible(current_user, holder_id) else 404)
    return row


@bp.route("/reports/targets/manage/<kind>/<int:holder_id>", methods=["GET", "POST"])
@login_required
def target_row(kind, holder_id):
    """One row: ``?edit=1`` for its form; a POST saves its three targets (422 with the form and its messages)."""
    _manager_only()
    period, problem = _period(request.values.get("period"))
    if problem:
        abort(404)
    row = _row_or_error(kind, holder_id, period)
    if request.method == "GET":
        return render_template(ROW, row=row, editing=bool(request.args.get("edit")), errors={}, values={},
                               **_context(period))
    values = {metric: request.form.get(metric, "") for metric in METRICS}
    try:
        target_grid.save_row(current_user, row, period, values)
    except TargetError as err:
        return render_template(ROW, row=row, editing=True, errors=err.errors, values=values,
                               **_context(period)), 422
    if not is_htmx():
        return redirect_to(url_for("reports.targets", period=period))
    saved = target_grid.grid_row(current_user, kind, holder_id, period)
    return render_template(ROW, row=saved, editing=False, errors={}, values={}, **_context(period))


@bp.route("/reports/targets/manage/<int:target_id>/delete", methods=["POST"])
@login_required
def target_delete(target_id):
    """Remove one target; answers its row, which then shows the team's default (its people's sum) if any."""
    _manager_only()
    target = found_or_404(get_visible_target(current_user, target_id))
    if not may_change(current_user, target):
        abort(403)
    kind, holder_id, period = ("person", target.user_id, target.period) if target.user_id else \
        ("team", target.team_id, target.period)
    delete_target(target, actor=current_user)
    row = target_grid.grid_row(current_user, kind, holder_id, period)
    if not is_htmx():
        return redirect_to(url_for("reports.targets", period=period))
    if row is None:  # a departed person's target: they have no row on the page
        return ""
    return render_template(ROW, row=row, editing=False, errors={}, values={}, **_context(period))


@bp.route("/reports/subscription", methods=["POST"])
@login_required
def subscription():
    """Switch the weekly summary on (``active=1``) or off; reps may not switch it on (403)."""
    active = request.form.get("active") in ("1", "on", "true", "y")
    try:
        set_subscription(current_user, active)
    except SubscriptionError:
        abort(403)
    if not is_htmx():
        return redirect_to(safe_next(request.form.get("next")))
    return render_template("reports/_subscription.html", weekly_summary=subscription_state(current_user))
