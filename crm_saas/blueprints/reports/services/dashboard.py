"""The dashboard (H1, issue 16.1): number cards against the previous period, four charts, targets.

Every card is an aggregate over one ``base`` statement, and its link opens
that statement's rows (``drill``), so a figure and its list cannot differ.
The cards cost one statement: each figure's records are aggregated over
the union of the current and the previous period (``COUNT(*) FILTER``),
and the single-row aggregates are cross-joined. Each chart is one more
``GROUP BY`` (``dashboard_charts``).

A link is a dict of query arguments for ``reports.records``: the scope's
own (``scope.args``) with the period or the filter of the figure, so the
list of "won in March" opened in April still lists March.
"""
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, any_, false, func, or_, select, true

from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.pools.services.recycling import governed
from crm_saas.blueprints.pools.services.rules import due_at, exemptions
from crm_saas.blueprints.reports.services import base, dashboard_charts
from crm_saas.blueprints.reports.services.catalog import Measure
from crm_saas.blueprints.reports.services.figures import money, percent
from crm_saas.blueprints.reports.services.scope import company_today, period_of
from crm_saas.blueprints.reports.services.targets import target_progress
from crm_saas.core.base import utcnow
from crm_saas.core.visibility import literal_ids
from crm_saas.extensions import db

# Without warning days of its own, a pool's customers count as "about to return" this many days ahead.
RETURNING_WINDOW_DAYS = 7


def returning_customers(scope, now=None):
    """Owned customers whose pool rule fires within the governing pool's warning days (7 without any), or has
    already run out and waits for the pool job: the same rules, exemptions and protection as the job."""
    now = now or utcnow()
    branches = []
    for _pool, rules, owners in governed(now):
        window = timedelta(days=rules.get("warn_days") or RETURNING_WINDOW_DAYS)
        branches.append(and_(Customer.owner_id == any_(literal_ids(owners)), *exemptions(rules),
                             due_at(rules) <= now + window))
    stmt = base.customers(scope).where(Customer.pool_id.is_(None), Customer.status == "active")
    return stmt.where(or_(*branches) if branches else false())


def new_customers_from(scope, source=None):
    return base.new_customers(scope).where(Customer.source == source)


MEASURES = {
    "new_customers": Measure("customers", _l("New customers"), base.new_customers),
    "new_deals": Measure("deals", _l("New deals"), base.new_deals),
    "won_deals": Measure("deals", _l("Deals won"), base.won_deals),
    "follow_ups": Measure("activities", _l("Follow-ups written"), base.follow_ups),
    "overdue_tasks": Measure("tasks", _l("Overdue tasks"), base.overdue_tasks),
    "returning_customers": Measure("customers", _l("Customers about to return to the pool"), returning_customers),
    "entered_stage": Measure("deals", _l("Deals that entered %(stage_id)s"), base.entered_stage, ("stage_id",)),
    "new_customers_by_source": Measure("customers", _l("New customers from %(source)s"), new_customers_from,
                                       ("source",)),
}


@dataclass
class Card:
    """One number: ``change`` is the percent against ``previous`` (None without a previous figure or when it is 0).
    ``params`` are the query arguments of the list behind ``value`` (``reports.records`` of ``measure``),
    ``previous_params`` those behind ``previous``."""

    key: str
    label: object
    value: object
    previous: object
    change: Decimal | None
    kind: str = "int"  # int or money
    measure: str | None = None
    params: dict = field(default_factory=dict)
    previous_params: dict | None = None


@dataclass
class Dashboard:
    scope: object
    cards: list
    charts: dict
    targets: list = field(default_factory=list)


def change(value, previous):
    if not previous:
        return None
    return percent(Decimal(value) - Decimal(previous), previous)


def _one_row(stmt, make):
    """A one-row subquery of the aggregates ``make(columns)`` over the records ``stmt`` selects."""
    records = stmt.subquery()
    return select(*make(records.c)).select_from(records).subquery()


def _count_if(condition):
    return func.count().filter(condition)


def _sum_if(column, condition):
    return func.coalesce(func.sum(column).filter(condition), 0)


def card_figures(scope, now=None):
    """``{name: number}`` of every card, current and previous, in one statement."""
    now = now or utcnow()
    before = scope.previous()
    month = scope.with_period(*period_of("month", scope.first), "month")
    month_before = month.previous()
    both = scope.with_period(before.first, scope.last)
    wide = scope.with_period(min(before.first, month_before.first), max(scope.last, month.last))

    def pair(prefix, column):
        return lambda c: (_count_if(scope.during(c[column])).label(f"{prefix}"),
                          _count_if(before.during(c[column])).label(f"{prefix}_before"))

    def won(c):
        at = c.stage_changed_at
        return (_count_if(scope.during(at)).label("won_deals"), _count_if(before.during(at)).label("won_deals_before"),
                _sum_if(c.amount, scope.during(at)).label("won_amount"),
                _sum_if(c.amount, before.during(at)).label("won_amount_before"),
                _sum_if(c.amount, month.during(at)).label("revenue_month"),
                _sum_if(c.amount, month_before.during(at)).label("revenue_month_before"))

    parts = [
        _one_row(base.new_customers(both), pair("new_customers", "created_at")),
        _one_row(base.new_deals(both), pair("new_deals", "created_at")),
        _one_row(base.won_deals(wide), won),
        _one_row(base.follow_ups(both), pair("follow_ups", "occurred_at")),
        _one_row(base.overdue_tasks(scope, now), lambda c: (func.count().label("overdue_tasks"),)),
        _one_row(returning_customers(scope, now), lambda c: (func.count().label("returning_customers"),)),
    ]
    stmt = select(*(column for part in parts for column in part.c)).select_from(parts[0])
    for part in parts[1:]:
        stmt = stmt.join(part, true())
    return dict(db.session.execute(stmt).one()._mapping), month


def build_cards(scope, now=None):
    figures, month = card_figures(scope, now)
    before = scope.previous()
    args, before_args = scope.args(), before.args()
    month_args, month_before_args = month.args(), month.previous().args()
    this_month = month.first <= company_today() <= month.last
    revenue_label = _("Revenue this month") if this_month else _(
        "Revenue in %(month)s", month=format_date(month.first, "yyyy-MM"))

    def card(key, label, kind="int", measure=None, params=args, previous_params=before_args, compare=True):
        value = figures[key]
        previous = figures.get(f"{key}_before") if compare else None
        if kind == "money":
            value, previous = money(value), None if previous is None else money(previous)
        return Card(key, label, value, previous, change(value, previous), kind, measure or key, dict(params),
                    dict(previous_params) if compare else None)

    return [
        card("new_customers", _("New customers")),
        card("new_deals", _("New deals")),
        card("won_deals", _("Deals won")),
        card("won_amount", _("Won amount"), "money", "won_deals"),
        card("revenue_month", revenue_label, "money", "won_deals", month_args, month_before_args),
        card("follow_ups", _("Follow-ups written")),
        card("overdue_tasks", _("Overdue tasks"), compare=False),
        card("returning_customers", _("About to return to the pool"), compare=False),
    ]


def build_dashboard(scope, now=None):
    """The dashboard of ``scope``: a handful of statements however many records it counts."""
    return Dashboard(scope=scope, cards=build_cards(scope, now), charts=dashboard_charts.build_charts(scope),
                     targets=target_progress(scope))
