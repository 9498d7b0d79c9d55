"""Customers: list, create, detail, transfer, always through the visibility rule.

Creating runs the same ``validate_customer`` as the web form, inside the
input schema, so JSON type errors and rule errors come back together in one
422 and nothing is saved unless everything passes.
"""
from functools import wraps

import marshmallow as ma
from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import fields, validate, validates_schema

from crm_saas.blueprints.api import api_blueprint
from crm_saas.blueprints.api.errors import api_abort
from crm_saas.blueprints.api.schemas import InputSchema, PageArgs, page_schema
from crm_saas.blueprints.customers import codes, services, transfer
from crm_saas.blueprints.customers.validation import validate_customer
from crm_saas.permissions import can

bp = api_blueprint("api_customers", __name__, "Customers and their contacts.")


def _code(codes_dict, description=None, **kwargs):
    """A code field; the enum lists the defaults (a tenant may add codes later)."""
    metadata = {"enum": list(codes_dict), **({"description": description} if description else {})}
    return fields.String(metadata=metadata, **kwargs)


class ContactSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    id = fields.Integer(dump_only=True)
    name = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    phone = fields.String(allow_none=True, metadata={"description": "Mobile (11 digits) or landline with area code."})
    email = fields.String(allow_none=True)
    wechat = fields.String(allow_none=True)
    role = _code(codes.CONTACT_ROLES, allow_none=True)
    primary = fields.Boolean(attribute="is_primary", metadata={"description": "Exactly one main contact."})


class CustomerSchema(ma.Schema):
    """A customer as the API shows and takes it; the rules (what is required) are in the descriptions."""

    class Meta:
        unknown = ma.EXCLUDE

    id = fields.Integer(dump_only=True)
    number = fields.String(dump_only=True)
    status = _code(codes.STATUSES, "pending while a rep's entry waits for approval (when the company asks for it).",
                   dump_only=True)
    name = fields.String(allow_none=True, metadata={"description": "Required; full legal name."})
    industry = _code(codes.INDUSTRIES, "Required.", allow_none=True)
    industry_note = fields.String(allow_none=True, metadata={"description": "Required when industry is other."})
    type = _code(codes.CUSTOMER_TYPES, "Default: potential.", allow_none=True)
    source = _code(codes.SOURCES, "Required.", allow_none=True)
    size = fields.String(allow_none=True)
    province = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    district = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    tags = fields.List(fields.String(), allow_none=True)
    remarks = fields.String(allow_none=True)
    owner_id = fields.Integer(allow_none=True, metadata={"description": "Default: the caller."})
    custom = fields.Dict(keys=fields.String(), allow_none=True)
    contacts = fields.List(fields.Nested(ContactSchema), metadata={"description": "Required: the main contact."})
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def business_rules(self, data, original_data, **kwargs):
        """Judge the raw input, so a rule is reported even beside another field's type error."""
        if not isinstance(original_data, dict):
            return
        errors = validate_customer(original_data)
        owner_id = original_data.get("owner_id")
        if isinstance(owner_id, int) and owner_id != current_user.id:
            if services.assignable_owner(current_user, owner_id) is None:
                errors["owner_id"] = [_("Choose yourself or someone you manage.")]
        if errors:
            raise ma.ValidationError(errors)


class CustomerListArgs(PageArgs):
    q = fields.String(metadata={"description": "Number, name, contact name or contact phone."})
    type = _code(codes.CUSTOMER_TYPES)
    industry = _code(codes.INDUSTRIES)
    source = _code(codes.SOURCES)
    tag = fields.String()
    owner_id = fields.Integer()
    status = _code(codes.STATUSES, validate=validate.OneOf(codes.STATUSES))


class TransferSchema(InputSchema):
    to = fields.Integer(allow_none=True, metadata={"description": "Required: an active colleague's staff id."})
    reason = fields.String(
        allow_none=True, validate=validate.Length(max=transfer.REASON_MAX),
        metadata={"description": "Why; kept in the operation log."},
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


CustomerPageSchema = page_schema(CustomerSchema, "CustomerPage")


@bp.route("/customers", methods=["GET"])
@bp.arguments(CustomerListArgs, location="query")
@bp.response(200, CustomerPageSchema)
def list_customers(args):
    """The customers the caller may see, newest first"""
    page, per_page, q = args.pop("page"), args.pop("per_page"), args.pop("q", None)
    rows, total = services.search_customers(current_user, q=q, page=page, per_page=per_page, filters=args)
    return {"items": rows, "total": total, "page": page, "per_page": per_page}


@bp.route("/customers", methods=["POST"])
@bp.arguments(CustomerSchema)
@bp.response(201, CustomerSchema)
def create_customer(data):
    """Add a customer with its contacts; every bad field is named in one 422"""
    return services.create_customer(data, actor=current_user, owner_id=data.get("owner_id"))


@bp.route("/customers/<int:customer_id>", methods=["GET"])
@bp.response(200, CustomerSchema)
@bp.alt_response(404, description="No such customer, or not one the caller may see.")
def get_customer(customer_id):
    """One customer with its contacts"""
    customer = services.get_visible_customer(current_user, customer_id)
    if customer is None:
        api_abort(404)
    return customer


def visible_customer(permission):
    """Resolve ``customer_id`` before the body is read: 404 when not visible, then 403 without ``permission``."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, customer_id, **kwargs):
            customer = services.get_visible_customer(current_user, customer_id)
            if customer is None:
                api_abort(404)
            if not can(current_user, permission):
                api_abort(403)
            return view(*args, customer=customer, **kwargs)

        return wrapper

    return decorator


@bp.route("/customers/<int:customer_id>/transfer", methods=["POST"])
@visible_customer("transfer_customers")
@bp.arguments(TransferSchema)
@bp.response(200, CustomerSchema, description="Done: the customer (and its owner's deals on it) changed hands.")
@bp.alt_response(403, description="The customer is visible but the caller may not transfer customers.")
@bp.alt_response(404, description="No such customer, or not one the caller may see.")
def transfer_customer(data, customer):
    """Hand a customer to another active colleague, with its owner's deals on it"""
    try:
        return transfer.transfer_customer(customer, data.get("to"), data.get("reason"), actor=current_user)
    except transfer.TransferError as err:
        api_abort(422, errors=err.errors)
