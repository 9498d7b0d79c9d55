"""Where customers go after the first sale: churn, repeat purchase, and the forecast of open deals.

Each figure is a count or sum over one statement built on ``base`` (so the
viewer's sight, the owner and team filters and the region apply), grouped
by owner in one query; the list behind a cell is the same statement
narrowed to the row's owner (``person``, or ``pool`` for customers in a
pool, who have none).
"""
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, false, func, literal, or_, select
from sqlalchemy.dialects.postgresql import JSONB

from crm_saas.blueprints.customers.models import Customer, CustomerChange
from crm_saas.blueprints.pipeline.models import Deal, Stage
from crm_saas.blueprints.reports.services import base
from crm_saas.blueprints.reports.services.catalog import Chart, Column, Measure, Report, Result
from crm_saas.blueprints.reports.services.figures import percent
from crm_saas.core.users import User
from crm_saas.core.visibility import visible
from crm_saas.extensions import db

CENT = Decimal("0.01")
POOL = "pool"  # the ``person`` of customers nobody owns (in a pool)
FORECAST_MONTHS = 6
NO_DATE = "none"


def _person(scope, stmt_of, owner_column, person):
    """``stmt_of(scope)`` narrowed to one owner (an id), to customers in a pool (``pool``), or not at all."""
    if person in (None, ""):
        return stmt_of(scope)
    if person == POOL:
        return stmt_of(scope).where(owner_column.is_(None))
    try:
        owner_id = int(person)
    except (TypeError, ValueError):
        owner_id = 0
    if owner_id <= 0:
        return stmt_of(scope).where(false())  # an unreadable link lists nothing
    return stmt_of(replace(scope, owner_id=owner_id))


def _by_owner(stmt, owner_column, *figures):
    """``[(owner_id, name, *figures)]``: ``stmt`` grouped by owner, with the owner's name, in one statement."""
    grouped = stmt.with_only_columns(owner_column, User.name, *figures, maintain_column_froms=True)
    grouped = grouped.outerjoin(User, User.id == owner_column).group_by(owner_column, User.name)
    return db.session.execute(grouped).all()


def _owner_label(owner_id, name):
    return name if owner_id is not None else _("In a pool")


def _person_param(owner_id):
    return {"person": owner_id if owner_id is not None else POOL}


# -- churn --------------------------------------------------------------------------------------------------------

def churned(scope):
    """Customers whose type became ``lost`` in the period (the change log's type changes), once each."""
    became_lost = exists().where(CustomerChange.customer_id == Customer.id, CustomerChange.field == "type",
                                 CustomerChange.new == literal("lost", JSONB), scope.during(CustomerChange.at))
    return base.customers(scope).where(became_lost)


def build_churn(scope):
    lost = {owner: (name, count) for owner, name, count in _by_owner(churned(scope), Customer.owner_id, func.count())}
    held = {owner: count for owner, _name, count in _by_owner(base.customers(scope), Customer.owner_id, func.count())}
    result = Result(rows=[])
    for owner_id, (name, count) in sorted(lost.items(), key=lambda item: (-item[1][1], item[1][0] or "")):
        customers = held.get(owner_id, 0)
        result.drill[(len(result.rows), "churned")] = ("churned", _person_param(owner_id))
        result.drill[(len(result.rows), "customers")] = ("owned_customers", _person_param(owner_id))
        result.rows.append({"owner": _owner_label(owner_id, name), "owner_id": owner_id, "churned": count,
                            "customers": customers, "churn_rate": percent(count, customers)})
    total_lost, total_held = sum(count for _name, count in lost.values()), sum(held.values())
    result.totals = {"owner": _("Total"), "churned": total_lost, "customers": total_held,
                     "churn_rate": percent(total_lost, total_held)}
    result.drill[("total", "churned")] = ("churned", {})
    result.drill[("total", "customers")] = ("owned_customers", {})
    return result


# -- repeat purchase ----------------------------------------------------------------------------------------------

def _wins(scope):
    """Per customer, the won deals (that the viewer sees) up to the period's end, those won in it, and their
    amount."""
    during = scope.during(Deal.stage_changed_at)
    wins = (select(Deal.customer_id, func.count().label("won"), func.count().filter(during).label("won_now"),
                   func.coalesce(func.sum(Deal.amount).filter(during), 0).label("amount"))
            .join(Stage, Stage.id == Deal.stage_id)
            .where(Deal.deleted_at.is_(None), Stage.kind == "won", Deal.stage_changed_at < scope.end)
            .group_by(Deal.customer_id))
    return visible(wins, Deal.owner_id, scope.user).subquery("wins")


def _customers_with_wins(scope, repeat):
    wins = _wins(scope)
    stmt = base.customers(scope).join(wins, wins.c.customer_id == Customer.id).where(wins.c.won_now >= 1)
    return (stmt.where(wins.c.won >= 2) if repeat else stmt), wins


def won_customers(scope):
    """Customers with a deal won in the period."""
    return _customers_with_wins(scope, repeat=False)[0]


def repeat_customers(scope):
    """Customers with two or more won deals up to the period's end, one or more of them won in the period."""
    return _customers_with_wins(scope, repeat=True)[0]


def build_repeat(scope):
    stmt, wins = _customers_with_wins(scope, repeat=False)
    repeat = wins.c.won >= 2
    rows = _by_owner(stmt, Customer.owner_id, func.count().filter(repeat),
                     func.coalesce(func.sum(wins.c.amount).filter(repeat), 0), func.count())
    result = Result(rows=[])
    totals = {"repeat_customers": 0, "repeat_amount": Decimal(0), "won_customers": 0}
    for owner_id, name, count, amount, with_win in sorted(rows, key=lambda row: (-row[2], -row[3], row[1] or "")):
        index = len(result.rows)
        result.drill[(index, "repeat_customers")] = ("repeat_customers", _person_param(owner_id))
        result.drill[(index, "won_customers")] = ("won_customers", _person_param(owner_id))
        result.rows.append({"owner": _owner_label(owner_id, name), "owner_id": owner_id, "repeat_customers": count,
                            "repeat_amount": amount, "won_customers": with_win,
                            "repeat_share": percent(count, with_win)})
        for key, value in (("repeat_customers", count), ("repeat_amount", amount), ("won_customers", with_win)):
            totals[key] += value
    result.totals = {"owner": _("Total"), **totals,
                     "repeat_share": percent(totals["repeat_customers"], totals["won_customers"])}
    result.drill[("total", "repeat_customers")] = ("repeat_customers", {})
    result.drill[("total", "won_customers")] = ("won_customers", {})
    return result


# -- forecast -----------------------------------------------------------------------------------------------------

def forecast_months(scope):
    """The first days of the forecast's months: the period's first month and the five after it."""
    months, day = [], scope.first.replace(day=1)
    while len(months) < FORECAST_MONTHS:
        months.append(day)
        if day.year == date.max.year and day.month == 12:
            return months, date.max  # the calendar ends here
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months, day  # and the first day after the window


def forecast_deals(scope, month=None):
    """Open deals expected to close in ``month`` (``YYYY-MM``; ``none``: without a date), else in the window."""
    months, after = forecast_months(scope)
    stmt = base.open_deals(scope)
    if month == NO_DATE:
        return stmt.where(Deal.expected_close.is_(None))
    if month:
        first = next((m for m in months if m.strftime("%Y-%m") == month), None)
        if first is None:
            return stmt.where(false())  # not a month of this forecast: nothing
        last = months[months.index(first) + 1] if first != months[-1] else after
        return stmt.where(Deal.expected_close >= first, Deal.expected_close < last)
    return stmt.where(or_(Deal.expected_close.is_(None),
                          and_(Deal.expected_close >= months[0], Deal.expected_close < after)))


def build_forecast(scope):
    month = func.to_char(Deal.expected_close, "YYYY-MM")
    probability = func.coalesce(Deal.probability, Stage.probability, 0)
    figures = (month, func.count(), func.coalesce(func.sum(Deal.amount), 0),
               func.coalesce(func.sum(Deal.amount * probability), 0))  # summed, then divided once (as the board)
    stmt = forecast_deals(scope).with_only_columns(*figures, maintain_column_froms=True).group_by(month)
    found = {key: (count, amount, (Decimal(weight) / 100).quantize(CENT, ROUND_HALF_UP))
             for key, count, amount, weight in db.session.execute(stmt)}
    months, _after = forecast_months(scope)
    result = Result(rows=[])
    keys = [(m.strftime("%Y-%m"), m.strftime("%Y-%m")) for m in months] + [(None, _("No expected close date"))]
    for key, label in keys:
        count, amount, weighted = found.get(key, (0, Decimal(0), Decimal("0.00")))
        result.drill[(len(result.rows), "deals")] = ("forecast_deals", {"month": key or NO_DATE})
        result.drill[(len(result.rows), "amount")] = ("forecast_deals", {"month": key or NO_DATE})
        result.rows.append({"month": label, "deals": count, "amount": amount, "weighted": weighted})
    result.totals = {"month": _("Total"), **{key: sum(row[key] for row in result.rows)
                                             for key in ("deals", "amount", "weighted")}}
    result.drill[("total", "deals")] = result.drill[("total", "amount")] = ("forecast_deals", {})
    return result


REPORTS = [
    Report(key="churn", title=_l("Churn"),
           description=_l("Customers whose type became lost in the period, by owner, and their share of all the "
                          "owner's customers."),
           columns=(Column("owner", _l("Owner"), "text"), Column("churned", _l("Customers lost")),
                    Column("customers", _l("Customers")), Column("churn_rate", _l("Churn rate"), "percent")),
           chart=Chart("bar", "owner", ("churned",)), build=build_churn),
    Report(key="repeat-purchase", title=_l("Repeat purchase"),
           description=_l("Customers who won a deal in the period and have two or more won deals in all up to its "
                          "end, by owner: how many, the amount won from them in the period, and their share of "
                          "the customers with a deal won in the period."),
           columns=(Column("owner", _l("Owner"), "text"), Column("repeat_customers", _l("Repeat customers")),
                    Column("repeat_amount", _l("Won from them in the period"), "money"),
                    Column("won_customers", _l("Customers with a win")),
                    Column("repeat_share", _l("Repeat share"), "percent")),
           chart=Chart("bar", "owner", ("repeat_customers",)), build=build_repeat),
    Report(key="forecast", title=_l("Forecast"),
           description=_l("Open deals by expected close month, from the period's first month for six months, and "
                          "those without a date: their amount, and the amount weighted by each deal's probability "
                          "(the stage's when the deal has none)."),
           columns=(Column("month", _l("Expected close"), "text", sortable=False), Column("deals", _l("Open deals")),
                    Column("amount", _l("Open amount"), "money"), Column("weighted", _l("Weighted amount"), "money")),
           chart=Chart("bar", "month", ("amount", "weighted")), build=build_forecast),
]

MEASURES = {
    "churned": Measure("customers", _l("Customers lost"),
                       lambda scope, person=None: _person(scope, churned, Customer.owner_id, person), ("person",)),
    "owned_customers": Measure("customers", _l("Customers"),
                               lambda scope, person=None: _person(scope, base.customers, Customer.owner_id, person),
                               ("person",)),
    "repeat_customers": Measure("customers", _l("Repeat customers"),
                                lambda scope, person=None: _person(scope, repeat_customers, Customer.owner_id, person),
                                ("person",)),
    "won_customers": Measure("customers", _l("Customers with a win"),
                             lambda scope, person=None: _person(scope, won_customers, Customer.owner_id, person),
                             ("person",)),
    "forecast_deals": Measure("deals", _l("Open deals by expected close"),
                              lambda scope, month=None: forecast_deals(scope, month or None), ("month",)),
}
