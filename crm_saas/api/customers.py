"""Customers: list, create, read, edit, delete, always through the visibility rule (API.md ``customers``).

Creating and editing run the same rules as the web form inside the input
schema, so JSON type errors and rule errors come back together in one 422
and nothing is saved unless everything passes. The recycle bin, the change
log and transfers are in ``customer_actions.py``.
"""
from functools import wraps

import marshmallow as ma
from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import fields, post_dump, validate, validates_schema

from crm_saas.api import api_blueprint
from crm_saas.api.errors import api_abort
from crm_saas.api.paging import PageArgs, page, page_schema
from crm_saas.blueprints.customers import services
from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.customers.services import codes
from crm_saas.blueprints.customers.services.duplicates import find_matches
from crm_saas.blueprints.customers.services.privacy import ContactReader
from crm_saas.blueprints.customers.services.recycle import delete_customer as to_bin
from crm_saas.blueprints.customers.services.search import SORTS, search_customers
from crm_saas.blueprints.customers.services.shares import AccessRefused, require_access, shared_access
from crm_saas.blueprints.customers.services.validation import validate_customer
from crm_saas.core.permissions import can
from crm_saas.core.views import found_or_404

bp = api_blueprint("api_customers", __name__, "Customers and their contacts.", module="customers")


def code_field(codes_dict, description=None, **kwargs):
    """A code field; the enum lists the defaults (a tenant may add codes later)."""
    metadata = {"enum": list(codes_dict), **({"description": description} if description else {})}
    return fields.String(metadata=metadata, **kwargs)


class ContactSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    id = fields.Integer(allow_none=True, metadata={"description": "Sent back on PATCH to edit that contact."})
    name = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    phone = fields.String(allow_none=True, metadata={
        "description": "Mobile (11 digits) or landline with area code; masked (138****5678) unless the caller "
                       "owns the customer or is above its owner."})
    email = fields.String(allow_none=True, metadata={"description": "Masked like phone."})
    wechat = fields.String(allow_none=True)
    role = code_field(codes.CONTACT_ROLES, allow_none=True)
    primary = fields.Boolean(attribute="is_primary", metadata={"description": "Exactly one main contact."})


class CustomerSchema(ma.Schema):
    """A customer as the API shows and takes it; the rules (what is required) are in the descriptions."""

    class Meta:
        unknown = ma.EXCLUDE

    id = fields.Integer(dump_only=True)
    number = fields.String(dump_only=True, metadata={"description": "Generated; never changes."})
    status = code_field(codes.STATUSES, "pending while a rep's entry waits for approval (when the company asks "
                                        "for it).", dump_only=True)
    name = fields.String(allow_none=True, metadata={"description": "Required; full legal name."})
    industry = code_field(codes.INDUSTRIES, "Required.", allow_none=True)
    industry_note = fields.String(allow_none=True, metadata={"description": "Required when industry is other."})
    type = code_field(codes.CUSTOMER_TYPES, "Default: potential.", allow_none=True)
    source = code_field(codes.SOURCES, "Required.", allow_none=True)
    category = fields.String(allow_none=True, metadata={"description": "One of the company's categories."})
    size = fields.String(allow_none=True)
    province = fields.String(allow_none=True, metadata={"description": "As in the national division list."})
    city = fields.String(allow_none=True)
    district = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    tags = fields.List(fields.String(), allow_none=True)
    remarks = fields.String(allow_none=True)
    needs = fields.String(allow_none=True, metadata={"description": "Needs and pain points."})
    goals = fields.String(allow_none=True, metadata={"description": "Business goals."})
    past_dealings = fields.String(allow_none=True)
    owner_id = fields.Integer(allow_none=True, metadata={"description": "Default: the caller."})
    campaign_id = fields.Integer(strict=True, allow_none=True, metadata={
        "description": "The campaign the customer came from (GET /campaigns); null for none. Any source may "
                       "carry one."})
    pool_id = fields.Integer(dump_only=True, allow_none=True, metadata={
        "description": "The lead pool holding the customer (owner_id is then null); null while owned."})
    custom = fields.Dict(keys=fields.String(), allow_none=True,
                         metadata={"description": "Values of the company's custom fields, by key."})
    contacts = fields.List(fields.Nested(ContactSchema), metadata={"description": "Required: the main contact."})
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    shared = fields.Method("shared_with_caller", dump_only=True, allow_none=True, metadata={
        "type": "string", "enum": ["read", "edit", None], "nullable": True,
        "description": "The caller's access when it comes from a share (read or edit), else null."})

    def shared_with_caller(self, customer):
        return shared_access(current_user, customer) if isinstance(customer, Customer) else None

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

    @post_dump(pass_original=True)
    def mask_contacts(self, data, customer, **kwargs):
        """C12: numbers and addresses in full only for the owner and those above them."""
        reader = ContactReader(current_user)
        for contact in data.get("contacts") or ():
            contact["phone"] = reader.phone(customer.owner_id, contact.get("phone"))
            contact["email"] = reader.email(customer.owner_id, contact.get("email"))
        return data


class CustomerPatchSchema(CustomerSchema):
    """Any subset of the fields; ``contacts`` (if sent) is the whole new list. Number and creation time are
    read-only: sending them back unchanged is fine, changing them is a 422."""

    number = fields.Raw(load_only=True, allow_none=True)
    created_at = fields.Raw(load_only=True, allow_none=True)
    owner_id = fields.Raw(load_only=True, allow_none=True, metadata={"description": "Use transfer instead."})
    reason = fields.String(allow_none=True, load_only=True, metadata={"description": "Kept in the change log."})

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def business_rules(self, data, original_data, **kwargs):
        if not isinstance(original_data, dict):
            return
        customer = services.get_visible_customer(current_user, request.view_args["customer_id"])
        changes = {k: v for k, v in original_data.items() if k not in ("reason", "owner_id")}
        errors = services.update_errors(customer, changes, original_data.get("reason"), actor=current_user,
                                        partial_custom=True)
        if original_data.get("owner_id") not in (None, customer.owner_id):
            errors["owner_id"] = [_("Change the owner with a transfer (POST /customers/{id}/transfer).")]
        if errors:
            raise ma.ValidationError(errors)


class CustomerFilterArgs(PageArgs):
    """The customer list's filters, which the pool's list (api/pools.py) takes too."""

    type = code_field(codes.CUSTOMER_TYPES)
    industry = code_field(codes.INDUSTRIES)
    source = code_field(codes.SOURCES)
    category = fields.String()
    tag = fields.List(fields.String(), metadata={"description": "Repeat to require several tags."})
    province = fields.String()
    city = fields.String()
    district = fields.String()
    created_from = fields.Date(metadata={"description": "Created on or after this day (China time)."})
    created_to = fields.Date(metadata={"description": "Created on or before this day (China time)."})


class CustomerListArgs(CustomerFilterArgs):
    q = fields.String(metadata={"description": "Number, name, contact name or contact phone."})
    owner_id = fields.Integer()
    status = code_field(codes.STATUSES, validate=validate.OneOf(codes.STATUSES))
    sort = fields.String(load_default="-created_at", validate=validate.OneOf(list(SORTS)),
                         metadata={"enum": list(SORTS), "description": "A leading - sorts descending."})


class CreateArgs(ma.Schema):
    duplicates = fields.String(load_default="warn", validate=validate.OneOf(["warn", "strict"]), metadata={
        "description": "strict: answer 409 with the ids of customers sharing the name or a phone number "
                       "instead of saving."})


CustomerPageSchema = page_schema(CustomerSchema, "CustomerPage")


def list_query(args):
    """``(q, sort, filters, paging)`` from a list's parsed query: the filters as the search services take them."""
    paging = {"page": args.pop("page"), "per_page": args.pop("per_page")}
    q, sort = args.pop("q", None), args.pop("sort")
    if args.get("tag"):
        args["tags"] = args.pop("tag")
    args["custom"] = custom_filters()
    return q, sort, args, paging


def custom_filters():
    """``custom.<key>=value`` query parameters (``custom.<key>.min``/``.max`` or ``.from``/``.to`` for ranges)."""
    result = {}
    for name, value in request.args.items():
        if name.startswith("custom."):
            key, _sep, end = name[7:].partition(".")
            if end in ("min", "from"):
                result[key] = (value, (result.get(key) or ("", ""))[1])
            elif end in ("max", "to"):
                result[key] = ((result.get(key) or ("", ""))[0], value)
            else:
                result[key] = value
    return result


@bp.route("/customers", methods=["GET"])
@bp.arguments(CustomerListArgs, location="query")
@bp.response(200, CustomerPageSchema)
def list_customers(args):
    """The customers the caller may see, filtered and sorted (newest first by default)"""
    q, sort, filters, paging = list_query(args)
    return page(*search_customers(current_user, q=q, filters=filters, sort=sort, **paging), paging)


@bp.route("/customers", methods=["POST"])
@bp.arguments(CreateArgs, location="query")
@bp.arguments(CustomerSchema)
@bp.response(201, CustomerSchema)
@bp.alt_response(409, description="duplicates=strict and customers with the same name or phone exist: "
                                  "`duplicates` lists those the caller may see, `hidden_duplicates` counts the rest.")
def create_customer(args, data):
    """Add a customer with its contacts; every bad field is named in one 422"""
    if args["duplicates"] == "strict":
        matches, hidden = find_matches(request.get_json(), user=current_user)
        if matches or hidden:
            api_abort(409, _("Customers with this name or phone number already exist."),
                      duplicates=[c.id for c in matches], hidden_duplicates=hidden)
    return services.create_customer(request.get_json(), actor=current_user,
                                    owner_id=data.get("owner_id"))


def visible_customer(permission=None, *, deleted=False, needs=None):
    """Resolve ``customer_id`` before the body is read: 404 when not visible, then 403 without ``permission``,
    or when a shared colleague's access does not reach ``needs`` ("edit", or "full" for what changes hands)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, customer_id, **kwargs):
            customer = found_or_404(services.get_visible_customer(current_user, customer_id, deleted=deleted))
            if permission and not can(current_user, permission):
                api_abort(403)
            if needs:
                try:
                    require_access(current_user, customer, needs)
                except AccessRefused as refused:
                    api_abort(403, refused.errors["id"][0])
            return view(*args, customer=customer, **kwargs)

        return wrapper

    return decorator


@bp.route("/customers/<int:customer_id>", methods=["GET"])
@visible_customer()
@bp.response(200, CustomerSchema)
@bp.alt_response(404, description="No such customer, or not one the caller may see.")
def get_customer(customer):
    """One customer with its contacts"""
    return customer


@bp.route("/customers/<int:customer_id>", methods=["PATCH"])
@visible_customer(needs="edit")
@bp.arguments(CustomerPatchSchema)
@bp.response(200, CustomerSchema)
@bp.alt_response(403, description="The customer is shared with the caller to read only.")
@bp.alt_response(404, description="No such customer, or not one the caller may see.")
def patch_customer(data, customer):
    """Change some fields; each change is logged with the optional reason"""
    body = request.get_json()
    changes = {k: v for k, v in body.items() if k in CustomerPatchSchema().fields and k not in ("reason", "owner_id")}
    services.update_customer(customer, changes, actor=current_user, reason=body.get("reason"),
                             partial_custom=True)
    return customer


@bp.route("/customers/<int:customer_id>", methods=["DELETE"])
@visible_customer("delete_customers", needs="full")
@bp.response(204)
@bp.alt_response(403, description="The customer is visible but the caller may not delete customers (or it is "
                                  "only shared with them).")
def delete_customer(customer):
    """Send a customer (and its deals) to the recycle bin"""
    to_bin(customer, actor=current_user, reason=request.args.get("reason"))
