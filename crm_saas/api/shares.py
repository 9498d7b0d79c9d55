"""Shares of a customer (API.md ``shares``): list, add, remove, by its owner, those above them or an admin.

A customer the caller cannot see is a 404 as everywhere; one they see but may
not share (it is only shared with them) is a 403 naming why. Bad input is a
422 naming ``user_id``, ``access`` or ``until``.
"""
import marshmallow as ma
from flask_login import current_user
from marshmallow import fields

from crm_saas.api import api_blueprint
from crm_saas.api.customers import visible_customer
from crm_saas.api.errors import api_abort
from crm_saas.api.schemas import InputSchema
from crm_saas.blueprints.customers.services import shares
from crm_saas.core.views import found_or_404

bp = api_blueprint("api_shares", __name__, "Customers shared with colleagues outside their owner's chain.",
                   module="customers")


class ShareSchema(ma.Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    user_id = fields.Integer()
    access = fields.String(metadata={"enum": list(shares.ACCESS)})
    until = fields.Date(allow_none=True, metadata={
        "description": "The last day the share counts (company time), inclusive; null for no end."})
    active = fields.Method("is_active", metadata={
        "type": "boolean", "description": "False once the share is past its last day."})
    created_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()

    def is_active(self, share):
        return shares.is_live(share)


class ShareInputSchema(InputSchema):
    """Types only: the service names every refused field in one 422."""

    user_id = fields.Integer(allow_none=True, metadata={"description": "Required: an active colleague's staff id."})
    access = fields.String(load_default="read", allow_none=True, metadata={"enum": list(shares.ACCESS),
                                                                           "description": "Default: read."})
    until = fields.Date(allow_none=True, metadata={"description": "Optional last day, today or later."})


class ShareListSchema(ma.Schema):
    items = fields.List(fields.Nested(ShareSchema))


def _sharer(customer):
    if not shares.may_share(current_user, customer):
        api_abort(403, shares.share_refusal(customer))


@bp.route("/customers/<int:customer_id>/shares", methods=["GET"])
@visible_customer()
@bp.response(200, ShareListSchema)
@bp.alt_response(403, description="The customer is only shared with the caller.")
@bp.alt_response(404, description="No such customer, or not one the caller may see.")
def list_shares(customer):
    """Who the customer is shared with, live shares and those past their last day"""
    _sharer(customer)
    return {"items": shares.shares_of(customer)}


@bp.route("/customers/<int:customer_id>/shares", methods=["POST"])
@visible_customer()
@bp.arguments(ShareInputSchema)
@bp.response(201, ShareSchema)
@bp.alt_response(403, description="The customer is only shared with the caller.")
@bp.alt_response(404, description="No such customer, or not one the caller may see.")
def create_share(data, customer):
    """Share the customer with a colleague, to read or to edit, optionally until a day (again: replaces it)"""
    _sharer(customer)
    return shares.share_customer(customer, data.get("user_id"), data.get("access") or "read", data.get("until"),
                                 actor=current_user)


@bp.route("/customers/<int:customer_id>/shares/<int:share_id>", methods=["DELETE"])
@visible_customer()
@bp.response(204)
@bp.alt_response(403, description="Neither a sharer of the customer nor the colleague it is shared with.")
@bp.alt_response(404, description="No such customer or share, or not one the caller may see.")
def delete_share(customer, share_id):
    """Stop sharing: the owner's side ends anyone's share, the colleague may give theirs back"""
    share = found_or_404(shares.get_share(customer, share_id))
    try:
        shares.unshare(customer, share, actor=current_user)
    except shares.ShareError as refused:
        api_abort(403, refused.errors["id"][0])
