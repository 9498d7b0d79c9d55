"""The report centre as JSON (API.md ``reports``): ``GET /reports/<key>`` for every report in the registry.

One operation per report, made from its ``Report`` when this module is
loaded (declarations only: no statement runs), each documented with its own
row schema (its columns) and its own arguments (the scope's, and the
report's extras such as ``days`` or ``pipeline_id``), so the OpenAPI
document lists every report a client may ask for. The answer is the
page's: ``{"rows", "totals", "filters", "columns", "notes"}``, money and
rates as decimal strings ("1234.50", "37.5"); arguments that do not read
answer 422 naming each one, the scope's and the report's alike.
"""
from decimal import Decimal

import marshmallow as ma
from flask import jsonify, request
from flask_login import current_user
from marshmallow import fields

from crm_saas.api import api_blueprint
from crm_saas.api.dashboard import DashboardArgs
from crm_saas.blueprints.reports.services.extras import read_report_scope
from crm_saas.blueprints.reports.services.registry import all_reports

bp = api_blueprint("api_reports", __name__, "The report centre: each report's rows, totals and filters.",
                   module="reports")
KIND_FIELDS = {
    "int": lambda description: fields.Integer(allow_none=True, metadata={"description": description}),
    "money": lambda description: fields.String(allow_none=True, metadata={
        "format": "decimal", "description": f"{description} (money, a decimal string)"}),
    "percent": lambda description: fields.String(allow_none=True, metadata={
        "format": "decimal", "description": f"{description} (percent, one decimal: 37.5; null over nothing)"}),
    "days": lambda description: fields.String(allow_none=True, metadata={
        "format": "decimal", "description": f"{description} (days, one decimal)"}),
    "text": lambda description: fields.String(allow_none=True, metadata={"description": description}),
}


class ReportColumnSchema(ma.Schema):
    key = fields.String()
    label = fields.String(metadata={"description": "In the caller's language (Accept-Language)."})
    kind = fields.String(metadata={"enum": ["text", "int", "money", "percent", "days"]})


def _value(value, kind):
    if value is None:
        return None
    if kind == "money":
        return f"{Decimal(value):.2f}"
    if kind in ("percent", "days"):
        return f"{Decimal(value):.1f}"
    if kind == "int":
        return int(value)
    return str(value)


def _row(report, row, identity=True):
    found = {column.key: _value(row.get(column.key), column.kind) for column in report.columns}
    if identity:
        found["key"] = row.get("key")
        found["group"] = str(row["group"]) if row.get("group") else None
    return found


def answer(report, scope, result):
    """The JSON body of a report (kept apart from the view so an export or a test reads the same shape)."""
    filters = {"range": scope.range, "from": scope.first.isoformat(), "to": scope.last.isoformat(),
               **{key: value for key, value in scope.args(**scope.extra).items() if key not in ("from", "to")}}
    return {
        "rows": [_row(report, row) for row in result.rows],
        "totals": _row(report, result.totals, identity=False) if result.totals else {},
        "filters": filters,
        "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in report.columns],
        "notes": [str(note) for note in result.notes],
    }


def _camel(key):
    return "".join(part.capitalize() for part in key.split("-"))


def _schemas(report):
    """The report's argument schema and its answer's schema, named after it in the document."""
    name = _camel(report.key)
    columns = {c.key: KIND_FIELDS[c.kind](str(c.label)) for c in report.columns}
    row = ma.Schema.from_dict({
        **columns,
        "key": fields.Raw(allow_none=True, metadata={
            "description": "What the row is about: a person's or a stage's id, a code (source, type), a reason."}),
        "group": fields.String(allow_none=True, metadata={
            "description": "A second table the row belongs to (the funnel's lost reasons); null for the first."}),
    }, name=f"{name}Row")
    totals = ma.Schema.from_dict(dict(columns), name=f"{name}Totals")
    answer_schema = ma.Schema.from_dict({
        "rows": fields.List(fields.Nested(row)),
        "totals": fields.Nested(totals, metadata={"description": "Over everything the caller may see in scope "
                                                                 "(not always the sum of the rows: teams nest)."}),
        "filters": fields.Dict(metadata={"description": "The scope as read: range, from, to and the filters given."}),
        "columns": fields.List(fields.Nested(ReportColumnSchema)),
        "notes": fields.List(fields.String(), metadata={"description": "Remarks such as \"no data yet\"."}),
    }, name=f"{name}Report")
    extras = {extra.name: fields.String(metadata={"type": "integer" if extra.kind == "int" else "string",
                                                  "description": str(extra.description)})
              for extra in report.extras}
    args = DashboardArgs.from_dict(extras, name=f"{name}Args") if extras else DashboardArgs
    return args, answer_schema


def _operation(report):
    def view(_args):
        scope = read_report_scope(current_user, report, request.args)
        return jsonify(answer(report, scope, report.build(scope)))

    view.__name__ = "report_" + report.key.replace("-", "_")
    view.__doc__ = f"{report.title}\n\n{report.description}"
    args, answer_schema = _schemas(report)
    view = bp.alt_response(422, description="Arguments that do not read, each named.")(view)
    view = bp.response(200, answer_schema)(view)
    view = bp.arguments(args, location="query", as_kwargs=False)(view)
    return bp.route(f"/reports/{report.key}", methods=["GET"], endpoint=view.__name__)(view)


for _report in all_reports().values():
    _operation(_report)
