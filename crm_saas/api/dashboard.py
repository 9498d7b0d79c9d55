"""The dashboard (API.md ``dashboard``): the number cards against the previous period, the charts, the targets.

The same figures as the page (``reports.services.dashboard``), under the
same visibility rule: a rep's cards count their own records, a supervisor's
their subtree's. Filters that do not read answer 422 naming each one
(``from``, ``to``, ``range``, ``owner_id``, ``team_id``).
"""
from decimal import Decimal

import marshmallow as ma
from flask import request
from flask_login import current_user
from marshmallow import fields

from crm_saas.api import api_blueprint
from crm_saas.api.schemas import InputSchema
from crm_saas.blueprints.reports.services.dashboard import build_dashboard
from crm_saas.blueprints.reports.services.scope import RANGES, read_scope

bp = api_blueprint("api_dashboard", __name__, "The dashboard: key figures against the previous period, and charts.",
                   module="reports")
CARD_KEYS = ("new_customers", "new_deals", "won_deals", "won_amount", "revenue_month", "follow_ups", "overdue_tasks",
             "returning_customers")
CENTS = Decimal("0.01")


def _query(kind, description, data_key=None, **schema):
    """A query argument passed through as sent: the scope reader names every bad one in one 422."""
    return fields.String(data_key=data_key, metadata={"type": kind, "description": description, **schema})


class DashboardArgs(InputSchema):
    range = _query("string", "day, week, month or quarter: the one holding `from` (today without it); "
                             "custom with `from` and `to`. Default: month.", enum=list(RANGES))
    # ``from`` is a Python keyword: the attribute has another name, the argument keeps its own.
    from_ = _query("string", "A company day (Asia/Shanghai), YYYY-MM-DD.", format="date", data_key="from")
    to = _query("string", "The last day of a custom period, YYYY-MM-DD.", format="date")
    province = _query("string", "Customers in this province (their name in the national list).")
    city = _query("string", "Customers in this city.")
    owner_id = _query("integer", "One person's records (within the caller's sight).")
    team_id = _query("integer", "A team's records: a leader and everyone below them, within the caller's sight.")


class CardSchema(ma.Schema):
    key = fields.String(metadata={"enum": list(CARD_KEYS)})
    label = fields.String()
    kind = fields.String(metadata={"enum": ["int", "money"]})
    value = fields.Raw(metadata={"description": "A whole number, or money as a decimal string."})
    previous = fields.Raw(allow_none=True, metadata={
        "description": "The same figure for the previous period; null for states of now (overdue_tasks, "
                       "returning_customers)."})
    change = fields.String(allow_none=True, metadata={
        "format": "decimal", "description": "Percent against previous (37.5); null when previous is 0 or null."})


class SeriesSchema(ma.Schema):
    name = fields.String()
    kind = fields.String(metadata={"enum": ["int", "money"]})
    data = fields.List(fields.Raw(), metadata={"description": "One value per category: numbers, money as strings."})


class ChartSchema(ma.Schema):
    title = fields.String()
    type = fields.String(metadata={"enum": ["line", "bar", "funnel", "pie"]})
    categories = fields.List(fields.String())
    series = fields.List(fields.Nested(SeriesSchema))
    links = fields.List(fields.Dict(), metadata={
        "description": "Per category, the arguments of the list behind it (`measure` and the scope's filters)."})


class TargetProgressSchema(ma.Schema):
    metric = fields.String(metadata={"enum": ["won_amount", "new_customers", "follow_ups"]})
    label = fields.String()
    target = fields.Raw(allow_none=True)
    actual = fields.Raw()
    percent = fields.String(allow_none=True, metadata={"format": "decimal"})


class DashboardSchema(ma.Schema):
    cards = fields.List(fields.Nested(CardSchema))
    charts = fields.Dict(keys=fields.String(metadata={"enum": ["trend", "funnel", "won_by_owner", "sources"]}),
                         values=fields.Nested(ChartSchema))
    targets = fields.List(fields.Nested(TargetProgressSchema))
    filters = fields.Dict(metadata={"description": "The period and filters counted (range, from, to, ...)."})


def _figure(value, kind="int"):
    if value is None:
        return None
    if kind == "money" or (isinstance(value, Decimal) and value != value.to_integral_value()):
        return str(Decimal(value).quantize(CENTS))
    return int(value)


def _series(series):
    kind = series.get("kind", "int")
    return {"name": series["name"], "kind": kind, "data": [_figure(v, kind) for v in series["data"]]}


@bp.route("/dashboard", methods=["GET"])
@bp.arguments(DashboardArgs, location="query")
@bp.response(200, DashboardSchema)
def get(_args):
    """The caller's dashboard for a period (default: this month), with owner, team and region filters"""
    board = build_dashboard(read_scope(current_user, request.args))
    return {
        "cards": [{"key": c.key, "label": str(c.label), "kind": c.kind, "value": _figure(c.value, c.kind),
                   "previous": _figure(c.previous, c.kind), "change": None if c.change is None else str(c.change)}
                  for c in board.cards],
        "charts": {key: {**chart, "title": str(chart["title"]), "series": [_series(s) for s in chart["series"]]}
                   for key, chart in board.charts.items()},
        "targets": [{**t, "label": str(t["label"]), "target": _figure(t["target"], _kind(t)),
                     "actual": _figure(t["actual"], _kind(t)),
                     "percent": None if t["percent"] is None else str(t["percent"])} for t in board.targets],
        "filters": board.scope.args(),
    }


def _kind(target):
    return "money" if target["metric"] == "won_amount" else "int"
