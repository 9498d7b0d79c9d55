"""Staff (B1-B3): the people the caller may see; adding, editing, moving and deactivating them.

Reading follows the visibility rule (``visible_staff``): everyone for staff
managers and see-all roles, else the caller's own subtree; anyone else is a
404. Writing needs ``manage_staff``, checked before the body is read, so a
rep gets the same 403 whatever they send. The input schemas run the staff
services' own rules (``services.check_staff``) on every value that loaded, so
JSON type errors and rule errors (a taken username, a superior inside the
person's own subtree) come back together in one 422; the services check
again when saving, under the same tree lock.
"""
from functools import wraps

import marshmallow as ma
from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import fields, validate, validates_schema

from crm_saas.api import api_blueprint
from crm_saas.api.errors import api_abort
from crm_saas.api.paging import PageArgs, page_of, page_schema
from crm_saas.api.schemas import InputSchema, StaffSchema
from crm_saas.blueprints.staff import services
from crm_saas.blueprints.staff.services.departures import deactivate_staff, reactivate_staff
from crm_saas.core.passwords import POLICY_TEXT, policy_errors
from crm_saas.core.permissions import can
from crm_saas.core.roles import BUILT_IN, custom_roles
from crm_saas.core.staff import STAFF_ORDER, get_visible_staff, may_manage, search_staff
from crm_saas.core.validators import is_cn_phone, is_email
from crm_saas.core.views import found_or_404

bp = api_blueprint("api_staff", __name__, "Staff, their place in the tree, and departures.")

# The departure service names the person ``user``; to a client that is the record in the path.
def _judged(data, keys, required=()):
    """What the services' rules should judge: the values that loaded (the schema reports the others).

    ``required`` keys that were not sent at all are judged as None, so the
    rules name them as missing.
    """
    picked = {key: data[key] for key in keys if key in data}
    return {**{key: None for key in required}, **picked}


class StaffInputSchema(InputSchema):
    """What a staff manager may set; no field is marked required, so one 422 names every missing one."""

    username = fields.String(allow_none=True, metadata={"description": "Required; 2-64 letters, digits, . _ -."})
    password = fields.String(
        allow_none=True, load_only=True,
        metadata={"description": f"{POLICY_TEXT} Set by someone else, so the person must change it first."},
    )
    name = fields.String(allow_none=True, validate=validate.Length(max=100), metadata={"description": "Required."})
    phone = fields.String(allow_none=True, metadata={"description": "Mobile (11 digits) or landline with area code."})
    email = fields.String(allow_none=True, validate=validate.Length(max=200),
                          metadata={"description": "Where a forgotten password's link goes."})
    title = fields.String(allow_none=True, validate=validate.Length(max=100))
    code = fields.String(allow_none=True, validate=validate.Length(max=32), metadata={"description": "Unique."})
    region = fields.String(allow_none=True, validate=validate.Length(max=100))
    role = fields.String(allow_none=True, metadata={"description": (
        "A role's key: admin, supervisor, rep or one the company added (GET /roles lists them). Default: rep.")})
    superior_id = fields.Integer(
        allow_none=True, metadata={"description": "An active colleague; null makes the person top-level."},
    )

    def field_errors(self, data):
        """Checks of single loaded values the services leave to the forms: phone, password."""
        errors = {}
        phone = (data.get("phone") or "").strip()
        if phone and not is_cn_phone(phone):
            errors["phone"] = [_("Enter an 11-digit mobile number or a landline with area code.")]
        email = (data.get("email") or "").strip()
        if email and not is_email(email):
            errors["email"] = [_("Enter a valid email address.")]
        password = data.get("password")
        if password is not None and policy_errors(password):
            errors["password"] = [str(message) for message in policy_errors(password)]
        return errors


class StaffCreateSchema(StaffInputSchema):
    """username, name and password are required; role defaults to rep."""

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def business_rules(self, data, original_data, **kwargs):
        if not isinstance(original_data, dict):
            return
        sent = {key for key in ("username", "name") if key in original_data}
        rules = _judged(data, ("username", "name", "code", "role", "superior_id"), {"username", "name"} - sent)
        errors = services.check_staff(rules, actor=current_user)
        errors.update(self.field_errors(data))
        if "password" not in original_data or original_data["password"] in (None, ""):
            errors["password"] = [_("Initial password is required.")]
        if errors:
            raise ma.ValidationError(errors)


class StaffUpdateSchema(StaffInputSchema):
    """Any subset of the fields; ``password`` resets it (the person must choose their own next)."""

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def business_rules(self, data, original_data, **kwargs):
        user = get_visible_staff(current_user, request.view_args["staff_id"])
        if user is None:
            return
        errors = services.check_staff(_judged(data, services.EDITABLE), actor=current_user, user=user)
        errors.update(self.field_errors(data))
        if errors:
            raise ma.ValidationError(errors)


def _known_role(key):
    """A filter by a role the company does not have is a mistake worth naming, not an empty page."""
    if key not in BUILT_IN and key not in custom_roles():
        raise ma.ValidationError(_("Choose one of the company's roles."))


class StaffListArgs(PageArgs):
    q = fields.String(metadata={"description": "Part of the name, username or staff code."})
    role = fields.String(validate=_known_role, metadata={
        "description": "A role's key (GET /roles lists them)."})
    active = fields.Boolean()
    superior_id = fields.Integer(metadata={"description": "Direct reports of this person."})


class DeactivateSchema(InputSchema):
    handover_to = fields.Integer(
        allow_none=True, metadata={"description": "Required: the active colleague who takes over the records."},
    )


class DepartureSchema(ma.Schema):
    staff = fields.Nested(StaffSchema)
    moved = fields.Dict(
        keys=fields.String(), values=fields.Integer(),
        metadata={"description": "How many records changed hands: customers, deals, subordinates (moved up)."},
    )


StaffPageSchema = page_schema(StaffSchema, "StaffPage")


def managing(view):
    """Writes: 403 without ``manage_staff``; with a ``staff_id``, 404 first when the person is not visible."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if "staff_id" in kwargs:
            user = found_or_404(get_visible_staff(current_user, kwargs.pop("staff_id")))
            kwargs["user"] = user
        if not can(current_user, "manage_staff"):
            api_abort(403)
        if kwargs.get("user") is not None and not may_manage(current_user, kwargs["user"]):
            api_abort(403, _("Only an administrator can change administrators."))
        return view(*args, **kwargs)

    return wrapper


@bp.route("/staff", methods=["GET"])
@bp.arguments(StaffListArgs, location="query")
@bp.response(200, StaffPageSchema)
def list_staff(args):
    """The staff the caller may see: everyone for staff managers, else their own subtree"""
    paging = {"page": args.pop("page"), "per_page": args.pop("per_page")}
    return page_of(search_staff(current_user, **args), STAFF_ORDER, paging)


@bp.route("/staff", methods=["POST"])
@managing
@bp.arguments(StaffCreateSchema)
@bp.response(201, StaffSchema)
@bp.alt_response(403, description="The caller may not manage staff.")
def create_staff(data):
    """Add a person; they must change the initial password before anything else"""
    return services.create_staff(data, actor=current_user)


@bp.route("/staff/<int:staff_id>", methods=["GET"])
@bp.response(200, StaffSchema)
@bp.alt_response(404, description="No such person, or not one the caller may see.")
def get_staff(staff_id):
    """One person"""
    return found_or_404(get_visible_staff(current_user, staff_id))


@bp.route("/staff/<int:staff_id>", methods=["PATCH"])
@managing
@bp.arguments(StaffUpdateSchema)
@bp.response(200, StaffSchema)
@bp.alt_response(403, description="The person is visible but the caller may not manage staff.")
@bp.alt_response(404, description="No such person, or not one the caller may see.")
def update_staff(data, user):
    """Change any of the fields; a new superior_id moves the person with their whole subtree"""
    data = {key: value for key, value in data.items() if not (key == "password" and value is None)}
    return services.update_staff(user, data, actor=current_user)


@bp.route("/staff/<int:staff_id>/deactivate", methods=["POST"])
@managing
@bp.arguments(DeactivateSchema)
@bp.response(200, DepartureSchema)
@bp.alt_response(403, description="The person is visible but the caller may not manage staff.")
@bp.alt_response(404, description="No such person, or not one the caller may see.")
def deactivate(data, user):
    """Disable a departing person: records go to handover_to, subordinates up to their superior, tokens die"""
    moved = deactivate_staff(user, data.get("handover_to"), actor=current_user)
    return {"staff": user, "moved": moved}


@bp.route("/staff/<int:staff_id>/reactivate", methods=["POST"])
@managing
@bp.response(200, StaffSchema)
@bp.alt_response(403, description="The person is visible but the caller may not manage staff.")
@bp.alt_response(404, description="No such person, or not one the caller may see.")
def reactivate(user):
    """Let a returning person log in again (with no records: those were handed over)"""
    return reactivate_staff(user, actor=current_user)
