"""The dashboard's four charts, one ``GROUP BY`` each over the same ``base`` statements as the cards.

Each chart is ``{"title", "type", "categories", "series": [{"name", "data"}], "links"}``: ``links[i]`` are the
query arguments of the list behind category ``i`` (``measure`` included, for ``reports.records``), so a bar
opens exactly the records it counts.
"""
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import Date, cast, func, select

from crm_saas.blueprints.customers.services import codes
from crm_saas.blueprints.pipeline.models import DealStageChange
from crm_saas.blueprints.pipeline.services import default_pipeline
from crm_saas.blueprints.pipeline.services.defaults import stage_label
from crm_saas.blueprints.reports.services import base
from crm_saas.blueprints.reports.services.scope import company_tz, period_of
from crm_saas.core.users import User
from crm_saas.extensions import db

TOP_OWNERS = 10
ZERO = Decimal("0.00")
DAILY_UP_TO = 31  # days: longer periods are drawn per week,
WEEKLY_UP_TO = 120  # and past this per month


def _link(measure, scope, **more):
    return {"measure": measure, **scope.args(**more)}


def trend_unit(scope):
    """Per day for a day, week or month; per week for a quarter (or a custom period up to 120 days); else per month."""
    if scope.range in ("day", "week", "month") or scope.days <= DAILY_UP_TO:
        return "day"
    return "week" if scope.days <= WEEKLY_UP_TO else "month"


def buckets(scope, unit):
    """``[(first, last)]`` of each day, week (from Monday) or month of the period, clipped to it."""
    found, day = [], scope.first
    while day <= scope.last:
        if unit == "day":
            first = last = day
        elif unit == "week":
            first, last = period_of("week", day)
        else:
            first, last = period_of("month", day)
        found.append((max(first, scope.first), min(last, scope.last)))
        day = last + timedelta(days=1)
    return found


def _bucket_label(first, unit):
    return first.strftime("%Y-%m") if unit == "month" else first.strftime("%m-%d")


def trend(scope):
    """Won amount (and count) per day, week or month of the period, in company days."""
    unit = trend_unit(scope)
    won = base.won_deals(scope).subquery()
    bucket = cast(func.date_trunc(unit, func.timezone(str(company_tz()), won.c.stage_changed_at)), Date)
    rows = db.session.execute(select(bucket, func.sum(won.c.amount), func.count()).group_by(bucket)).all()
    found = {_bucket_start(day, unit): (amount, count) for day, amount, count in rows}
    periods = buckets(scope, unit)
    values = [found.get(_bucket_start(first, unit), (ZERO, 0)) for first, _last in periods]
    return {
        "title": _("Sales trend"), "type": "line", "unit": unit,
        "categories": [_bucket_label(first, unit) for first, _last in periods],
        "series": [{"name": _("Won amount"), "data": [amount for amount, _count in values], "kind": "money"},
                   {"name": _("Deals won"), "data": [count for _amount, count in values], "kind": "int"}],
        "links": [_link("won_deals", scope.with_period(first, last, "day" if unit == "day" else "custom"))
                  for first, last in periods],
    }


def _bucket_start(day: date, unit):
    if unit == "day":
        return day
    return period_of(unit, day)[0]


def funnel(scope):
    """Deals that entered each open or won stage of the default pipeline in the period (the stage history, D5),
    each deal once per stage however often it went back and forth."""
    pipeline = default_pipeline()
    stages = [s for s in pipeline.stages if s.kind in ("open", "won")] if pipeline else []
    deals = base.deals(scope).subquery()
    counts = dict(db.session.execute(
        select(DealStageChange.to_stage_id, func.count(DealStageChange.deal_id.distinct()))
        .join(deals, deals.c.id == DealStageChange.deal_id)
        .where(DealStageChange.to_stage_id.in_([s.id for s in stages] or [0]), scope.during(DealStageChange.moved_at))
        .group_by(DealStageChange.to_stage_id)
    ).all()) if stages else {}
    return {
        "title": _("Stage funnel"), "type": "funnel", "categories": [stage_label(s) for s in stages],
        "series": [{"name": _("Deals"), "data": [counts.get(s.id, 0) for s in stages], "kind": "int"}],
        "links": [_link("entered_stage", scope, stage_id=s.id) for s in stages],
    }


def won_by_owner(scope):
    """The ten people with the largest won amount in the period."""
    won = base.won_deals(scope).subquery()
    amount = func.sum(won.c.amount)
    rows = db.session.execute(
        select(User.id, User.name, amount, func.count()).join(won, won.c.owner_id == User.id)
        .group_by(User.id, User.name).order_by(amount.desc(), User.id).limit(TOP_OWNERS)
    ).all()
    return {
        "title": _("Won by rep"), "type": "bar",
        "categories": [name for _id, name, _amount, _count in rows],
        "series": [{"name": _("Won amount"), "data": [amount for _id, _name, amount, _count in rows], "kind": "money"},
                   {"name": _("Deals won"), "data": [count for *_rest, count in rows], "kind": "int"}],
        "links": [_link("won_deals", scope, owner_id=owner_id) for owner_id, *_rest in rows],
    }


def sources(scope):
    """New customers per source (the company's own codes shown as they are)."""
    new = base.new_customers(scope).subquery()
    rows = db.session.execute(
        select(new.c.source, func.count()).group_by(new.c.source).order_by(func.count().desc(), new.c.source)
    ).all()
    return {
        "title": _("New customers by source"), "type": "bar",
        "categories": [str(codes.label(codes.SOURCES, source)) for source, _count in rows],
        "series": [{"name": _("New customers"), "data": [count for _source, count in rows], "kind": "int"}],
        "links": [_link("new_customers_by_source", scope, source=source) for source, _count in rows],
    }


def build_charts(scope):
    return {"trend": trend(scope), "funnel": funnel(scope), "won_by_owner": won_by_owner(scope),
            "sources": sources(scope)}
