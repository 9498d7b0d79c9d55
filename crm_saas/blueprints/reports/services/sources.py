"""Source effectiveness (H2): per customer source, new customers, new deals, deals won, won amount and win rate.

A deal belongs to its customer's source. Two grouped statements: the new
customers, and the deals (created in the period, or closed in it) with
each figure a ``FILTER`` of the one scan. Each customer has one source, so
rows add up and the totals row is their sum; the win rate of the total is
taken over the totals (won / closed), not averaged over rows.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_

from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.customers.services.codes import SOURCES, label
from crm_saas.blueprints.pipeline.models import Deal, Stage
from crm_saas.blueprints.reports.services import base
from crm_saas.blueprints.reports.services.catalog import Chart, Column, Measure, Report, Result
from crm_saas.blueprints.reports.services.figures import money, percent
from crm_saas.extensions import db

COUNTS = ("new_customers", "new_deals", "won_count", "won_amount", "lost_count")
MEASURE_OF = {"new_customers": "source_customers", "new_deals": "source_deals", "won_count": "source_won",
              "won_amount": "source_won", "lost_count": "source_lost"}
TOTAL_MEASURE_OF = {"new_customers": "sources_customers", "new_deals": "sources_deals", "won_count": "sources_won",
                    "won_amount": "sources_won", "lost_count": "sources_lost"}


def _new_customers(scope):
    stmt = base.new_customers(scope).with_only_columns(Customer.source, func.count()).group_by(Customer.source)
    return dict(db.session.execute(stmt).all())


def _deals(scope):
    """``{source: (new, won, won amount, lost)}`` from one scan of the deals created or closed in the period."""
    created = scope.during(Deal.created_at)
    closed = scope.during(Deal.stage_changed_at)
    won, lost = closed & (Stage.kind == "won"), closed & (Stage.kind == "lost")
    stmt = (base.deals(scope).join(Stage, Stage.id == Deal.stage_id)
            .where(or_(created, closed & Stage.kind.in_(("won", "lost"))))
            .with_only_columns(Customer.source, func.count().filter(created), func.count().filter(won),
                               func.coalesce(func.sum(Deal.amount).filter(won), 0), func.count().filter(lost))
            .group_by(Customer.source))
    return {row[0]: tuple(row[1:]) for row in db.session.execute(stmt)}


def _row(key, text, customers, new, won, amount, lost):
    return {"key": key, "source": text, "new_customers": customers, "new_deals": new, "won_count": won,
            "won_amount": money(amount), "lost_count": lost, "win_rate": percent(won, won + lost)}


def build(scope):
    customers, deals = _new_customers(scope), _deals(scope)
    codes = set(customers) | set(deals)
    ordered = [code for code in SOURCES if code in codes] + sorted(code for code in codes if code not in SOURCES)
    result = Result(rows=[])
    totals = [0, 0, 0, 0, 0]
    for code in ordered:
        figures = (customers.get(code, 0), *deals.get(code, (0, 0, 0, 0)))
        totals = [a + b for a, b in zip(totals, figures, strict=True)]
        result.rows.append(_row(code, str(label(SOURCES, code)), *figures))
        for column in COUNTS:
            result.drill[(len(result.rows) - 1, column)] = (MEASURE_OF[column], {"source": code})
    result.totals = _row(None, _("Total"), *totals)
    result.totals.pop("key")
    for column in COUNTS:
        result.drill[("total", column)] = (TOTAL_MEASURE_OF[column], {})
    return result


def _of_source(stmt, source):
    return stmt.where(Customer.source == source) if source is not None else stmt


def customers_statement(scope, source=None):
    return _of_source(base.new_customers(scope), source)


def deals_statement(scope, source=None):
    return _of_source(base.new_deals(scope), source)


def won_statement(scope, source=None):
    return _of_source(base.won_deals(scope), source)


def lost_statement(scope, source=None):
    return _of_source(base.lost_deals(scope), source)


REPORTS = [
    Report("sources", _l("Source effectiveness"),
           _l("Per customer source: customers added and deals created in the period, deals won and their amount, "
              "and the win rate of the deals closed in the period."),
           (Column("source", _l("Source"), "text"),
            Column("new_customers", _l("New customers"), "int"),
            Column("new_deals", _l("New deals"), "int"),
            Column("won_count", _l("Deals won"), "int"),
            Column("won_amount", _l("Won amount"), "money"),
            Column("lost_count", _l("Deals lost"), "int"),
            Column("win_rate", _l("Win rate (%)"), "percent")),
           Chart("bar", "source", ("new_customers", "new_deals", "won_count")), build),
]
MEASURES = {
    "source_customers": Measure("customers", _l("New customers from %(source)s"), customers_statement, ("source",)),
    "source_deals": Measure("deals", _l("New deals of customers from %(source)s"), deals_statement, ("source",)),
    "source_won": Measure("deals", _l("Deals won of customers from %(source)s"), won_statement, ("source",)),
    "source_lost": Measure("deals", _l("Deals lost of customers from %(source)s"), lost_statement, ("source",)),
    "sources_customers": Measure("customers", _l("New customers"), base.new_customers),
    "sources_deals": Measure("deals", _l("New deals"), base.new_deals),
    "sources_won": Measure("deals", _l("Deals won"), base.won_deals),
    "sources_lost": Measure("deals", _l("Deals lost"), base.lost_deals),
}
