"""A target's period (``YYYY-MM`` or ``YYYY-Qn``) and the records counted toward it, for one holder.

Targets are set by calendar month or quarter, in company days (scope.py),
so the period a figure is measured over is always a whole month or
quarter: the one the scope's first day falls in (a quarter for a quarter
range, else a month). The actuals are the same ``base`` statements every
figure counts, narrowed to the holder (a person: the owner filter; a team:
the team filter) under the viewer's sight, so the list behind an actual
has exactly as many rows as the actual says.
"""
import re
from calendar import monthrange
from dataclasses import replace
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import false, func, literal, select, union_all

from crm_saas.blueprints.reports.models import METRICS
from crm_saas.blueprints.reports.services import base

PERIOD = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$")
METRIC_LABELS = {"won_amount": _l("Won amount"), "new_customers": _l("New customers"),
                 "follow_ups": _l("Follow-ups")}
METRIC_KINDS = {"won_amount": "money", "new_customers": "int", "follow_ups": "int"}
# The records each metric counts, and whose they are (the column the holder narrows).
STATEMENTS = {"won_amount": base.won_deals, "new_customers": base.new_customers, "follow_ups": base.follow_ups}
ENTITIES = {"won_amount": "deals", "new_customers": "customers", "follow_ups": "activities"}
# The measures (target_report.MEASURES) that open the records behind an actual.
MEASURE_NAMES = {metric: f"target_{metric}" for metric in METRICS}


YEARS = range(2000, 3000)  # the years a target may be set for


def period_bounds(period):
    """``(first, last)`` days of ``YYYY-MM`` or ``YYYY-Qn``, or None when it is neither."""
    found = PERIOD.match(period or "") if isinstance(period, str) else None
    if not found or int(found.group(1)) < 1:
        return None
    year = int(found.group(1))
    month = int(found.group(2)) if found.group(2) else (int(found.group(3)) - 1) * 3 + 1
    last_month = month if found.group(2) else month + 2
    return date(year, month, 1), date(year, last_month, monthrange(year, last_month)[1])


def valid_period(period):
    """Whether ``period`` names a month or quarter a target may be set for."""
    bounds = period_bounds(period)
    return bounds is not None and bounds[0].year in YEARS


def is_quarter(period):
    return "Q" in period


def period_holding(day, quarter=False):
    """The month (or quarter) ``day`` falls in, as a period."""
    if quarter:
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year:04d}-{day.month:02d}"


def shift(period, steps):
    """The period ``steps`` months (or quarters) after ``period``: the picker's arrows."""
    first, _last = period_bounds(period)
    months = steps * (3 if is_quarter(period) else 1)
    year, month = divmod(first.month - 1 + months, 12)
    if first.year + year not in YEARS:
        return period
    return period_holding(date(first.year + year, month + 1, 1), is_quarter(period))


def scope_period(scope):
    """The target period a scope is measured against: the quarter for a quarter range, else the month."""
    return period_holding(scope.first, quarter=scope.range == "quarter")


def period_scope(scope, period):
    """``scope`` over the whole ``period``, without the region: a target is not set per province or city."""
    first, last = period_bounds(period)
    return replace(scope, first=first, last=last, range="quarter" if is_quarter(period) else "month",
                   province=None, city=None)


UNREADABLE = -1  # an owner or team id no one has: a link with an unreadable argument lists nothing


def _id(value):
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return UNREADABLE
    return number if number > 0 else UNREADABLE


def holder_scope(scope, period=None, person=None, team=None):
    """The scope an actual is counted over: the period's, narrowed to a person or a team (drill arguments as
    they come from a query string: ``period`` a period, ``person``/``team`` ids). None for an unreadable period."""
    if period not in (None, "") and period_bounds(period) is None:
        return None
    narrowed = period_scope(scope, period or scope_period(scope))
    person, team = _id(person), _id(team)
    if person:
        narrowed = replace(narrowed, owner_id=person)
    if team:
        narrowed = replace(narrowed, team_id=team)
    return narrowed


def actual_statement(metric):
    """A measure's statement for ``metric``: the records counted toward a target (``holder_scope``'s arguments)."""
    def statement(scope, period=None, person=None, team=None):
        narrowed = holder_scope(scope, period, person, team)
        if narrowed is None:
            return STATEMENTS[metric](scope).where(false())  # an unreadable link lists nothing
        return STATEMENTS[metric](narrowed)

    return statement


def _sum_of(stmt, metric):
    """``stmt``'s figure for ``metric`` as one scalar subquery: the won amount summed, else rows counted."""
    rows = stmt.subquery()
    figure = func.coalesce(func.sum(rows.c.amount), 0) if metric == "won_amount" else func.count()
    return select(figure).select_from(rows).scalar_subquery()


def actuals_select(scope):
    """One statement answering every metric's actual over ``scope``: ``(won_amount, new_customers, follow_ups)``."""
    return select(*(_sum_of(STATEMENTS[metric](scope), metric) for metric in METRICS))


OWNER_COLUMNS = {"won_amount": "owner_id", "new_customers": "owner_id", "follow_ups": "created_by_id"}


def actuals_by_owner_select(scope):
    """One statement with every metric's actual per owner: rows of ``(metric, owner_id, figure)``."""
    parts = []
    for metric in METRICS:
        rows = STATEMENTS[metric](scope).subquery()
        owner = rows.c[OWNER_COLUMNS[metric]]
        figure = func.sum(rows.c.amount) if metric == "won_amount" else func.count()
        parts.append(select(literal(metric).label("metric"), owner.label("owner_id"), figure.label("figure"))
                     .select_from(rows).group_by(owner))
    return union_all(*parts)


def as_figure(value, metric):
    """Money to the cent, counts as whole numbers."""
    if value is None:
        return None
    return Decimal(value).quantize(Decimal("0.01") if METRIC_KINDS[metric] == "money" else Decimal(1))
