"""Marshmallow schemas shared by the API: errors, staff, pipelines and deals (paging is ``paging.py``).

They do double duty: they shape the JSON and they are the OpenAPI document.
Input schemas exclude unknown keys, so a client may send back what it read
(``id``, ``created_at`` ...) without tripping over read-only fields.
Business rules stay in the services; schemas only check JSON types.
"""
import marshmallow as ma
from flask_login import current_user
from marshmallow import fields, validate

from crm_saas.blueprints.customers.services import get_visible_customer
from crm_saas.blueprints.pipeline.services import get_visible_deal
from crm_saas.core.views import found_or_404


class InputSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE


class ErrorSchema(ma.Schema):
    message = fields.String(metadata={"description": "What went wrong, for errors not tied to fields."})
    errors = fields.Dict(
        keys=fields.String(), values=fields.List(fields.String()),
        metadata={"description": "Messages by field name; nested fields are dotted (contacts.0.phone)."},
    )


class Money(fields.Decimal):
    """Money travels as a decimal string ("1234.50"); input may be a string or a JSON number."""

    def __init__(self, **kwargs):
        super().__init__(places=2, as_string=True, allow_nan=False, **kwargs)


class StaffSchema(ma.Schema):
    """A staff record as every staff call and ``/me`` answer it (API.md fields, plus a few more)."""

    id = fields.Integer()
    username = fields.String()
    name = fields.String()
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    code = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    role = fields.String(metadata={"description": "A role's key: admin, supervisor, rep or the company's own."})
    superior_id = fields.Integer(allow_none=True, metadata={"description": "None for a top-level person."})
    active = fields.Boolean(metadata={"description": "False once deactivated: no login, no token."})
    deactivated_at = fields.DateTime(allow_none=True)
    must_change_password = fields.Boolean(
        metadata={"description": "The password was set by someone else and must be changed before other calls."},
    )
    created_at = fields.DateTime()


class TokenRequestSchema(InputSchema):
    username = fields.String(required=True)
    password = fields.String(required=True, load_only=True)


class TokenSchema(ma.Schema):
    token = fields.String()
    expires_at = fields.DateTime()


class PasswordChangeSchema(InputSchema):
    old = fields.String(load_default=None)
    new = fields.String(load_default=None)


class StageSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    position = fields.Integer()
    kind = fields.String(metadata={"enum": ["open", "won", "lost"]})


class PipelineSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    stages = fields.List(fields.Nested(StageSchema))


class DealSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    customer_id = fields.Integer()
    pipeline_id = fields.Integer()
    amount = Money()
    expected_close = fields.Date(allow_none=True)
    stage_id = fields.Integer()
    owner_id = fields.Integer()
    probability = fields.Integer(allow_none=True)
    lost_reason = fields.String(allow_none=True)
    products = fields.List(fields.Dict(),
                           metadata={"description": "Lines of {name, quantity, price} (decimal strings)."})
    key_actions = fields.String(allow_none=True)
    campaign_id = fields.Integer(allow_none=True, metadata={"description": "The campaign the deal came from."})
    custom = fields.Dict()
    version = fields.Integer(metadata={"description": "Bumped by every change; send it back to refuse stale edits."})
    last_activity_at = fields.DateTime(allow_none=True, metadata={"description": "The newest follow-up on it."})
    stage_changed_at = fields.DateTime()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ProductLineSchema(InputSchema):
    name = fields.Raw(allow_none=True)
    quantity = fields.Raw(allow_none=True)
    price = fields.Raw(allow_none=True)


class DealInputSchema(InputSchema):
    """What a deal takes on creation or edit; the deal rules judge values, this only JSON types."""

    name = fields.String(allow_none=True, metadata={"description": "Required."})
    amount = Money(allow_none=True, metadata={"description": "Default: the product lines' total, else 0."})
    expected_close = fields.Date(allow_none=True)
    probability = fields.Integer(allow_none=True, metadata={"description": "0-100; default: the stage's."})
    owner_id = fields.Integer(allow_none=True, metadata={"description": "Default: the caller; someone they see."})
    products = fields.List(fields.Nested(ProductLineSchema), allow_none=True)
    key_actions = fields.String(allow_none=True)
    campaign_id = fields.Integer(strict=True, allow_none=True, metadata={
        "description": "The campaign the deal came from (GET /campaigns). A new deal without one (absent or "
                       "null) takes its customer's; on PATCH, null clears it."})
    custom = fields.Dict(keys=fields.String(), allow_none=True,
                         metadata={"description": "Values of the company's custom fields for deals, by key."})


class DealCreateSchema(DealInputSchema):
    """No field is marked required here: the service names every missing one in a single 422."""

    customer_id = fields.Integer(allow_none=True, metadata={"description": "Required; a customer you can see."})
    pipeline_id = fields.Integer(allow_none=True, metadata={"description": "Default: the default pipeline."})
    stage_id = fields.Integer(allow_none=True, metadata={"description": "Default: the pipeline's first stage."})


class DealPatchSchema(DealInputSchema):
    customer_id = fields.Integer(allow_none=True, metadata={"description": "Read-only: a deal keeps its customer."})
    stage_id = fields.Integer(allow_none=True, metadata={"description": "A move, as POST /deals/{id}/move."})
    lost_reason = fields.String(allow_none=True, metadata={"description": "Required when stage_id is a lost stage."})
    reason = fields.String(allow_none=True, metadata={"description": "Why; kept in the deal's change log."})
    version = fields.Integer(allow_none=True, metadata={
        "description": "The version the change was made from: an older one is a 409 instead of an overwrite."})


class DealMoveSchema(InputSchema):
    stage_id = fields.Integer(allow_none=True, metadata={"description": "Required."})
    position = fields.Integer(
        allow_none=True, validate=validate.Range(min=0),
        metadata={"description": "Index among the cards of the stage; default: last."},
    )
    lost_reason = fields.String(allow_none=True, metadata={"description": "Required when moving to a lost stage."})
    version = fields.Integer(allow_none=True, metadata={
        "description": "The version the move was made from: an older one is a 409 instead of a silent move."})


class BoardStageSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    count = fields.Integer()
    amount = Money()
    weighted = Money(metadata={"description": "Sum of amount x probability."})
    more = fields.Boolean(metadata={"description": "More deals than listed: GET /deals?stage_id=... pages them."})
    deals = fields.List(fields.Nested(DealSchema))


class BoardSchema(ma.Schema):
    stages = fields.List(fields.Nested(BoardStageSchema))


def of_visible_records(stmt, model, args):
    """Narrow ``stmt`` by ``customer_id``/``deal_id`` in ``args``; one the caller may not see is a 404."""

    for key, lookup in (("customer_id", get_visible_customer), ("deal_id", get_visible_deal)):
        if key in args:
            found_or_404(lookup(current_user, args[key]))
            stmt = stmt.where(getattr(model, key) == args[key])
    return stmt
