"""What happens to customers beside editing: recycle bin, restore, change log, transfer (API.md ``customers``)."""
import marshmallow as ma
from flask import jsonify, request
from flask_login import current_user
from marshmallow import fields, validate, validates_schema

from crm_saas.api import api_blueprint
from crm_saas.api.customers import CustomerPageSchema, CustomerSchema, visible_customer
from crm_saas.api.paging import PageArgs, page, page_schema
from crm_saas.api.schemas import InputSchema
from crm_saas.blueprints.customers import services
from crm_saas.blueprints.customers.services import recycle, transfer, transfer_requests
from crm_saas.blueprints.customers.services.changes import changes_page
from crm_saas.blueprints.customers.services.privacy import ContactReader

bp = api_blueprint("api_customer_actions", __name__, "Recycle bin, change log and transfers of customers.",
                   module="customers")


class ChangeSchema(ma.Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor_id = fields.Integer(allow_none=True)
    actor_name = fields.String()
    action = fields.String(metadata={"enum": ["created", "updated", "transferred", "transfer_requested",
                                              "transfer_rejected", "deleted", "restored", "merged", "approved",
                                              "rejected", "field_deleted", "shared", "unshared", "share_ended",
                                              "pooled", "claimed", "assigned", "protection_requested",
                                              "protection_extended", "protection_rejected"]})
    field = fields.String(allow_none=True, metadata={
        "description": "A customer field, contact.<field> (subject names the contact), custom.<key> (label "
                       "names it), or none for an event."})
    label = fields.String(allow_none=True)
    subject = fields.String(allow_none=True)
    old = fields.Raw(allow_none=True)
    new = fields.Raw(allow_none=True)
    reason = fields.String(allow_none=True)



def readable_change(change, customer, reader):
    """A change as the caller may read it: contact numbers masked exactly as on the customer (C12)."""
    row = {key: getattr(change, key) for key in ChangeSchema().fields}
    for side in ("old", "new"):
        row[side] = reader.change_value(customer, row["field"], row[side])
    return row


ChangePageSchema = page_schema(ChangeSchema, "CustomerChangePage")


class TransferSchema(InputSchema):
    to = fields.Integer(allow_none=True, metadata={"description": "Required: an active colleague's staff id."})
    reason = fields.String(
        allow_none=True, validate=validate.Length(max=transfer.REASON_MAX),
        metadata={"description": "Why; kept in the change log and the operation log."},
    )

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def business_rules(self, data, original_data, **kwargs):
        """Judge the receiver even beside a bad reason, so one 422 names both (a malformed id is a type error)."""
        if "to" not in data and isinstance(original_data, dict) and original_data.get("to") not in (None, ""):
            return
        customer = services.get_visible_customer(current_user, request.view_args["customer_id"])
        errors = transfer.transfer_errors(customer, data.get("to")) if customer is not None else {}
        if errors:
            raise ma.ValidationError(errors)


class TransferRequestSchema(ma.Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    to = fields.Integer(attribute="to_user_id")
    reason = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": ["pending", "approved", "rejected", "withdrawn"]})
    requested_by = fields.Integer(attribute="requested_by_id")
    created_at = fields.DateTime()


@bp.route("/customers/recycle-bin", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, CustomerPageSchema)
def list_recycle_bin(args):
    """Deleted customers the caller may see, most recently deleted first"""
    return page(*recycle.recycle_bin(current_user, args["page"], args["per_page"]), args)


@bp.route("/customers/<int:customer_id>/restore", methods=["POST"])
@visible_customer("delete_customers", deleted=True)
@bp.response(200, CustomerSchema)
@bp.alt_response(404, description="Not in the recycle bin, or not a customer the caller may see.")
def restore_customer(customer):
    """Bring a customer (and the deals deleted with it) back from the recycle bin"""
    return recycle.restore_customer(customer, actor=current_user)


@bp.route("/customers/<int:customer_id>/changes", methods=["GET"])
@visible_customer()
@bp.arguments(PageArgs, location="query")
@bp.response(200, ChangePageSchema)
def list_changes(args, customer):
    """The change log, newest first: who, when, field, old, new, reason"""
    rows, total = changes_page(customer.id, args["page"], args["per_page"])
    reader = ContactReader(current_user)
    return page([readable_change(row, customer, reader) for row in rows], total, args)


@bp.route("/customers/<int:customer_id>/transfer", methods=["POST"])
@visible_customer(needs="full")
@bp.arguments(TransferSchema)
@bp.response(200, CustomerSchema, description="Done: the customer (and its owner's deals on it) changed hands.")
@bp.alt_response(202, schema=TransferRequestSchema,
                 description="The caller may not transfer: the request waits for someone above them.")
@bp.alt_response(403, description="The customer is only shared with the caller: a share never hands it on.")
@bp.alt_response(404, description="No such customer, or not one the caller may see.")
def transfer_customer(data, customer):
    """Hand a customer to an active colleague, or ask to (202) without the right to transfer"""
    outcome, result = transfer_requests.transfer_or_request(customer, data.get("to"), data.get("reason"),
                                                   actor=current_user)
    if outcome == "pending":  # a response of its own: the decorator's schema describes the 200
        response = jsonify(TransferRequestSchema().dump(result))
        response.status_code = 202
        return response
    return result
