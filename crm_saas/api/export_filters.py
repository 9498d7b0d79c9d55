"""The filters an export takes, kind by kind: each list's own (customers, deals, follow-ups), a report's scope.

An export keeps its filters as JSON and the job reads them later, so they
are checked here, when asked for, and stored as the job reads them (dates
and amounts as text). An unknown filter is refused rather than silently
ignored: an export of "everything" by a typo is the wrong file.
"""
import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from crm_saas.blueprints.activities.services import TYPES
from crm_saas.blueprints.pipeline.services.deal_list import SORTS
from crm_saas.blueprints.reports.services.extras import extra_args, read_report_scope
from crm_saas.blueprints.reports.services.scope import RANGES, read_scope
from crm_saas.core.errors import FieldErrors

ID = {"validate": validate.Range(min=1)}


class AsText(ma.Schema):
    @ma.post_load
    def as_text(self, data, **kwargs):
        """Kept as JSON with the export, so the job reads the same filters later."""
        return {key: str(value) if hasattr(value, "as_tuple") else value.isoformat() if hasattr(value, "isoformat")
                else value for key, value in data.items()}


class CustomerFiltersSchema(AsText):
    """The customer list's filters; an unknown one is refused rather than silently ignored."""

    q = fields.String()
    type = fields.String()
    industry = fields.String()
    source = fields.String()
    category = fields.String()
    tag = fields.String()
    tags = fields.List(fields.String(), metadata={"description": "Customers carrying all of these tags."})
    owner_id = fields.Integer()
    province = fields.String()
    city = fields.String()
    district = fields.String()
    status = fields.String()
    created_from = fields.Date()
    created_to = fields.Date()
    custom = fields.Dict(keys=fields.String(), metadata={
        "description": "Custom field filters by key: a value, or [min, max] / [from, to] for numbers and dates."})


class DealExportFiltersSchema(AsText):
    """The deal list's filters (kind deals): every visible deal that matches, in the list's order."""

    q = fields.String(metadata={"description": "In the deal's or its customer's name."})
    pipeline_id = fields.Integer(**ID)
    stage_id = fields.Integer(**ID)
    customer_id = fields.Integer(**ID)
    owner_id = fields.Integer(**ID)
    team = fields.Integer(**ID, metadata={"description": "A leader's id: deals owned by them or anyone below."})
    close_from = fields.Date(metadata={"description": "Expected to close on or after."})
    close_to = fields.Date(metadata={"description": "Expected to close on or before."})
    amount_min = fields.Decimal(as_string=True, places=2, allow_nan=False)
    amount_max = fields.Decimal(as_string=True, places=2, allow_nan=False)
    sort = fields.String(validate=validate.OneOf(list(SORTS)), metadata={"enum": list(SORTS)})


class ActivityExportFiltersSchema(AsText):
    """The follow-up list's filters (kind activities): every visible follow-up that matches, newest first."""

    type = fields.String(validate=validate.OneOf(list(TYPES)), metadata={"enum": list(TYPES)})
    owner_id = fields.Integer(**ID, metadata={"description": "Written by this person."})
    team = fields.Integer(**ID, metadata={"description": "Written by a leader or anyone below them."})
    customer_id = fields.Integer(**ID)
    from_ = fields.Date(data_key="from", metadata={"description": "Occurred on or after this day (China time)."})
    to = fields.Date(metadata={"description": "Occurred on or before this day (China time)."})

    @ma.post_load
    def named_as_sent(self, data, **kwargs):
        return {"from" if key == "from_" else key: value for key, value in data.items()}


class Scalar(fields.Field):
    """A value read as the query string would carry it (text); the scope's reader judges it, naming each bad one."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, (dict, list)):
            raise ma.ValidationError(_l("Send a single value."))
        return None if value is None else str(value).strip()


class ReportExportFiltersSchema(ma.Schema):
    """A report's scope (kind report), as GET /reports/<key> reads it; the period is pinned by ``from``."""

    range = Scalar(metadata={"type": "string", "enum": list(RANGES)})
    from_ = Scalar(data_key="from", metadata={"type": "string", "format": "date", "description": "YYYY-MM-DD"})
    to = Scalar(metadata={"type": "string", "format": "date", "description": "YYYY-MM-DD, with range custom."})
    province = Scalar(metadata={"type": "string"})
    city = Scalar(metadata={"type": "string"})
    owner_id = Scalar(metadata={"type": "integer"})
    team_id = Scalar(metadata={"type": "integer", "description": "A leader's id: them and everyone below."})
    sort = Scalar(metadata={"type": "string", "description": "A report column's key, or -key for descending."})
    days = Scalar(metadata={"type": "integer", "description": "Report follow-ups: not contacted for this many days."})
    pipeline_id = Scalar(metadata={"type": "integer", "description": "Report funnel: the pipeline counted."})


SCHEMAS = {"customers": CustomerFiltersSchema, "deals": DealExportFiltersSchema,
           "activities": ActivityExportFiltersSchema, "report": ReportExportFiltersSchema}
# How the OpenAPI document names them (api/exports.py registers them; CustomerFilters is bulk's too).
COMPONENTS = {"CustomerFilters": CustomerFiltersSchema, "DealExportFilters": DealExportFiltersSchema,
              "ActivityExportFilters": ActivityExportFiltersSchema, "ReportExportFilters": ReportExportFiltersSchema}
DESCRIPTION = ("By kind: customers, the customer list's (CustomerFilters); deals, the deal list's "
               "(DealExportFilters); activities, the follow-up list's (ActivityExportFilters); report, the scope "
               "(ReportExportFilters: range, from, to, province, city, owner_id, team_id, and the report's own days or "
               "pipeline_id); all takes none.")


def load_filters(kind, raw, user, report=None):
    """The filters of an export of ``kind`` as stored; ``FieldErrors`` naming each bad one (``filters.<name>``)."""
    if kind == "all":
        return {}
    try:
        data = SCHEMAS[kind]().load(raw)
    except ma.ValidationError as err:
        raise FieldErrors({"filters": err.messages}) from err
    if kind != "report":
        return data
    sort = data.pop("sort", None)
    args = {"from" if key == "from_" else key: value for key, value in data.items()}
    try:
        scope = read_report_scope(user, report, args) if report is not None else read_scope(user, args)
    except FieldErrors as err:
        raise FieldErrors({"filters": err.errors}) from err
    stored = scope.args(**extra_args(scope))
    if sort:
        if report is not None and report.column(sort.lstrip("-")) is None:
            raise FieldErrors({"filters": {"sort": [_l("Choose a column of the report.")]}})
        stored["sort"] = sort
    return stored
