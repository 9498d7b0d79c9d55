"""Bulk actions on customers (API.md ``bulk``): one action on ``ids`` or on everything ``filters`` match.

All or nothing: a refusal (422 naming the field, 403 when the caller's role
may not take the action at all) saves nothing. An id the caller cannot see
refuses the action like any other bad id, counted and never named. An
export answers 202 with the export, as ``POST /exports`` does.
"""
import marshmallow as ma
from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import fields, validate

from crm_saas.api import api_blueprint
from crm_saas.api.errors import api_abort
from crm_saas.api.exports import CustomerFiltersSchema, ExportSchema, describe, queue_unavailable
from crm_saas.api.schemas import InputSchema
from crm_saas.blueprints.bulk.services import ACTIONS, BULK_MAX, BulkForbidden
from crm_saas.blueprints.bulk.services.actions import run
from crm_saas.blueprints.customers.services.shares import ACCESS
from crm_saas.core.jobs import QueueUnavailable

bp = api_blueprint("api_bulk", __name__, "Bulk actions on customers, all or nothing.", module="customers")

FIELDS_BY_ACTION = {
    "transfer": ("to", "reason"), "share": ("user_id", "access", "until"), "tag": ("tags", "reason"),
    "untag": ("tags", "reason"), "campaign": ("campaign_id", "reason"), "release": ("reason", "pool_id"),
    "delete": ("reason",), "export": (),
}


class BulkRequestSchema(InputSchema):
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS), metadata={"enum": list(ACTIONS)})
    ids = fields.List(fields.Integer(), metadata={"description": f"The customers, at most {BULK_MAX}; or send "
                                                                 "filters instead."})
    filters = fields.Nested(CustomerFiltersSchema, metadata={
        "description": "Every customer the caller may see that matches (the customer list's filters, and q)."})
    to = fields.Integer(allow_none=True, metadata={"description": "transfer: the colleague who takes them over."})
    reason = fields.String(allow_none=True, validate=validate.Length(max=500), metadata={
        "description": "transfer, tag, untag, campaign, delete; required for release."})
    user_id = fields.Integer(allow_none=True, metadata={"description": "share: the colleague."})
    access = fields.String(allow_none=True, metadata={"enum": list(ACCESS), "description": "share: default read."})
    until = fields.Date(allow_none=True, metadata={"description": "share: the last day (optional)."})
    tags = fields.List(fields.String(), allow_none=True, metadata={"description": "tag, untag: the tags."})
    pool_id = fields.Integer(allow_none=True, metadata={"description": "release: the pool (default: the owner's)."})
    campaign_id = fields.Integer(strict=True, allow_none=True, metadata={
        "description": "campaign: the campaign the customers came from (required; null clears it)."})

    @ma.validates_schema
    def one_selection(self, data, **kwargs):
        if ("ids" in data) == ("filters" in data):
            raise ma.ValidationError({"ids": [_("Send either ids or filters.")]})


class BulkResultSchema(ma.Schema):
    action = fields.String(metadata={"enum": [a for a in ACTIONS if a != "export"]})
    count = fields.Integer(metadata={"description": "How many customers the action covered."})
    done = fields.Integer(metadata={"description": "transfer: handed over at once."})
    pending = fields.Integer(metadata={"description": "transfer: requests waiting for approval (no right to "
                                                      "transfer)."})
    skipped = fields.Integer(metadata={"description": "transfer: already the receiver's."})
    changed = fields.Integer(metadata={"description": "tag, untag, campaign: customers whose tags (campaign) "
                                                      "changed."})
    unchanged = fields.Integer()


@bp.route("/customers/bulk", methods=["POST"])
@bp.arguments(BulkRequestSchema)
@bp.response(200, BulkResultSchema, description="Done, for every customer of the selection.")
@bp.alt_response(202, schema=ExportSchema, description="export: the export was queued.")
@bp.alt_response(403, description="The caller's role may not take this action (delete, export).")
@bp.alt_response(503, description="export: the job queue cannot be reached; nothing was started.")
def bulk_action(data):
    """Transfer, share, tag, untag, set the campaign of, release, delete or export customers, all or nothing"""
    action = data.pop("action")
    selection = {key: data.pop(key) for key in ("ids", "filters") if key in data}
    fields_sent = {key: value for key, value in data.items() if key in FIELDS_BY_ACTION[action]}
    try:
        result = run(action, current_user, **selection, **fields_sent)
    except BulkForbidden as refused:
        api_abort(403, " ".join(refused.messages))
    except QueueUnavailable:
        queue_unavailable()
    if action == "export":
        response = jsonify(ExportSchema().dump(describe(result)))
        response.status_code = 202
        return response
    return result
