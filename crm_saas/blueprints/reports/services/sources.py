"""Source effectiveness (H2, G1): per customer source, or per campaign (``by=campaign``), new customers, new
deals, deals won, won amount and win rate; per campaign also its cost and ROI.

By source, a deal belongs to its customer's source. By campaign, a customer
to its own campaign and a deal to its own (a new deal takes its customer's,
but may differ), with one more row for the records of no campaign; the
rows are the campaigns with a figure in the period and those running in it
(not cancelled), so a campaign that brought nothing still shows its cost.
Two grouped statements either way: the new customers, and the deals
(created in the period, or closed in it) with each figure a ``FILTER`` of
the one scan. Each record has one source (one campaign or none), so rows
add up and the totals row is their sum; the win rate of the total is taken
over the totals (won / closed), not averaged over rows.

A campaign's cost is what it cost in all (its ``cost``), and its ROI the
period's won amount over that cost, in percent (350.0: 3.5 times the money
back); the total's ROI is the campaigns' won amount over their cost, the
records of no campaign left out. Costs are company figures while the
counts are the viewer's (the one visibility rule), so a rep's ROI is their
share of the return.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from crm_saas.blueprints.campaigns.models import Campaign
from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.customers.services.codes import SOURCES, label
from crm_saas.blueprints.pipeline.models import Deal, Stage
from crm_saas.blueprints.reports.services import base
from crm_saas.blueprints.reports.services.catalog import Chart, Column, Measure, Report, Result
from crm_saas.blueprints.reports.services.extras import Extra
from crm_saas.blueprints.reports.services.figures import money, percent
from crm_saas.extensions import db

COUNTS = ("new_customers", "new_deals", "won_count", "won_amount", "lost_count")
MEASURE_OF = {"new_customers": "source_customers", "new_deals": "source_deals", "won_count": "source_won",
              "won_amount": "source_won", "lost_count": "source_lost"}
TOTAL_MEASURE_OF = {"new_customers": "sources_customers", "new_deals": "sources_deals", "won_count": "sources_won",
                    "won_amount": "sources_won", "lost_count": "sources_lost"}


GROUPINGS = ("source", "campaign")


def _grouping(raw):
    if raw in (None, ""):
        return "source"
    value = str(raw).strip()
    if value not in GROUPINGS:
        raise ValueError(_l("Choose source or campaign."))
    return value


BY = Extra("by", _l("Group by"), _l("source (default): a row per customer source; campaign: a row per campaign, "
                                    "with its cost and ROI, and one for the records of no campaign."),
           _grouping, kind="string", default="source",
           choices=lambda: [("source", _l("Source")), ("campaign", _l("Campaign"))])


def _new_customers(scope, key=Customer.source):
    stmt = base.new_customers(scope).with_only_columns(key, func.count()).group_by(key)
    return dict(db.session.execute(stmt).all())


def _deals(scope, key=Customer.source):
    """``{source: (new, won, won amount, lost)}`` from one scan of the deals created or closed in the period."""
    created = scope.during(Deal.created_at)
    closed = scope.during(Deal.stage_changed_at)
    won, lost = closed & (Stage.kind == "won"), closed & (Stage.kind == "lost")
    stmt = (base.deals(scope).join(Stage, Stage.id == Deal.stage_id)
            .where(or_(created, closed & Stage.kind.in_(("won", "lost"))))
            .with_only_columns(key, func.count().filter(created), func.count().filter(won),
                               func.coalesce(func.sum(Deal.amount).filter(won), 0), func.count().filter(lost))
            .group_by(key))
    return {row[0]: tuple(row[1:]) for row in db.session.execute(stmt)}


def _row(key, text, customers, new, won, amount, lost, cost=None):
    return {"key": key, "source": text, "new_customers": customers, "new_deals": new, "won_count": won,
            "won_amount": money(amount), "lost_count": lost, "win_rate": percent(won, won + lost),
            "cost": money(cost) if cost is not None else None, "roi": percent(amount, cost) if cost else None}


def build(scope):
    if scope.extra.get("by") == "campaign":
        return build_by_campaign(scope)
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


def _campaigns(scope, ids):
    """The campaigns a row goes to: those of ``ids``, and those running in the period (not cancelled), the
    newest start first."""
    running = (Campaign.starts_on <= scope.last) & (Campaign.ends_on.is_(None) | (Campaign.ends_on >= scope.first)) \
        & (Campaign.status != "cancelled")
    return db.session.execute(
        select(Campaign.id, Campaign.name, Campaign.cost).where(Campaign.id.in_(ids) | running)
        .order_by(Campaign.starts_on.desc().nulls_last(), Campaign.id.desc())).all()


def build_by_campaign(scope):
    customers, deals = _new_customers(scope, Customer.campaign_id), _deals(scope, Deal.campaign_id)
    result = Result(rows=[])
    totals, cost, campaigns_won = [0, 0, 0, 0, 0], 0, 0
    rows = [(c.id, c.name, c.cost) for c in _campaigns(scope, (set(customers) | set(deals)) - {None})]
    if customers.get(None) or deals.get(None):
        rows.append((None, str(_("No campaign")), None))
    for campaign_id, name, campaign_cost in rows:
        figures = (customers.get(campaign_id, 0), *deals.get(campaign_id, (0, 0, 0, 0)))
        totals = [a + b for a, b in zip(totals, figures, strict=True)]
        if campaign_id is not None:
            cost, campaigns_won = cost + (campaign_cost or 0), campaigns_won + figures[3]
        result.rows.append(_row(campaign_id, name, *figures, cost=campaign_cost))
        params = {"campaign_id": campaign_id} if campaign_id is not None else {}
        for column in COUNTS:
            measure = CAMPAIGN_MEASURE_OF[column]
            result.drill[(len(result.rows) - 1, column)] = (measure if params else f"no_{measure}", params)
    result.totals = _row(None, _("Total"), *totals, cost=cost)
    result.totals["roi"] = percent(campaigns_won, cost) if cost else None
    result.totals.pop("key")
    for column in COUNTS:
        result.drill[("total", column)] = (TOTAL_MEASURE_OF[column], {})
    return result


def _of_campaign(stmt, model, campaign_id):
    return stmt.where(model.campaign_id == campaign_id if campaign_id is not None else model.campaign_id.is_(None))


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


CAMPAIGN_MEASURE_OF = {"new_customers": "campaign_customers", "new_deals": "campaign_deals",
                       "won_count": "campaign_won", "won_amount": "campaign_won", "lost_count": "campaign_lost"}


def campaign_customers(scope, campaign_id=None):
    return _of_campaign(base.new_customers(scope), Customer, campaign_id)


def campaign_deals(scope, campaign_id=None):
    return _of_campaign(base.new_deals(scope), Deal, campaign_id)


def campaign_won(scope, campaign_id=None):
    return _of_campaign(base.won_deals(scope), Deal, campaign_id)


def campaign_lost(scope, campaign_id=None):
    return _of_campaign(base.lost_deals(scope), Deal, campaign_id)


REPORTS = [
    Report("sources", _l("Source effectiveness"),
           _l("Per customer source, or per campaign: customers added and deals created in the period, deals won "
              "and their amount, and the win rate of the deals closed in the period; per campaign also its cost "
              "and ROI (the period's won amount over the cost, in percent)."),
           (Column("source", _l("Source"), "text"),
            Column("new_customers", _l("New customers"), "int"),
            Column("new_deals", _l("New deals"), "int"),
            Column("won_count", _l("Deals won"), "int"),
            Column("won_amount", _l("Won amount"), "money"),
            Column("lost_count", _l("Deals lost"), "int"),
            Column("win_rate", _l("Win rate (%)"), "percent"),
            Column("cost", _l("Campaign cost"), "money"),
            Column("roi", _l("ROI (%)"), "percent")),
           Chart("bar", "source", ("new_customers", "new_deals", "won_count")), build, extras=(BY,)),
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
    "campaign_customers": Measure("customers", _l("New customers from %(campaign_id)s"), campaign_customers,
                                  ("campaign_id",)),
    "campaign_deals": Measure("deals", _l("New deals from %(campaign_id)s"), campaign_deals, ("campaign_id",)),
    "campaign_won": Measure("deals", _l("Deals won from %(campaign_id)s"), campaign_won, ("campaign_id",)),
    "campaign_lost": Measure("deals", _l("Deals lost from %(campaign_id)s"), campaign_lost, ("campaign_id",)),
    "no_campaign_customers": Measure("customers", _l("New customers from no campaign"), campaign_customers),
    "no_campaign_deals": Measure("deals", _l("New deals from no campaign"), campaign_deals),
    "no_campaign_won": Measure("deals", _l("Deals won from no campaign"), campaign_won),
    "no_campaign_lost": Measure("deals", _l("Deals lost from no campaign"), campaign_lost),
}
