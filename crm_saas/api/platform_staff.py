"""Agency staff (A3, managed as B1-B3): the tree of each agency, adding, editing, moving and departures.

Reading follows the visibility rule (``tenants.agencies.visible_staff``):
operators see every agency's people, an agency admin their agency, a
supervisor their subtree, a rep themselves; anyone else is a 404. Writing
is ``services.staff.may_manage``'s (reps manage nobody: 403), and the
services name every bad field. A new person's code is one of the agency's
free codes (the first unless chosen) and their username the pinyin
suggestion unless given; their password was set by someone else, so they
change it at first sign-in.
"""
from flask_babel import gettext as _
from flask_login import current_user

from crm_saas.api.errors import api_abort
from crm_saas.api.paging import page_of
from crm_saas.api.platform_access import documented, platform_api_blueprint
from crm_saas.api.platform_schemas import (
    AgencyDepartureSchema,
    AgencyStaffInputSchema,
    AgencyStaffListArgs,
    AgencyStaffPageSchema,
    HandoverSchema,
    PlatformAccountSchema,
)
from crm_saas.blueprints.platform.services import staff as services
from crm_saas.core.views import found_or_404
from crm_saas.extensions import db
from crm_saas.tenants.agencies import free_codes
from crm_saas.tenants.models import Agency, PlatformUser

bp = platform_api_blueprint("api_platform_staff", __name__,
                            "Agency staff: each agency's tree, rep codes, and departures.")

def _managed(staff_id):
    """The person in the path: 404 unless the caller sees them, 403 unless the caller manages them."""
    person = found_or_404(services.get_visible_person(current_user, staff_id))
    if not services.may_manage(current_user, person):
        api_abort(403, _("You cannot change this person."))
    return person


def _with_defaults(data):
    """The code (the agency's first free one) and username (from the name) a new person gets unless given."""
    data = {"role": "rep", **{key: value for key, value in data.items() if value is not None}}
    if current_user.is_operator:
        agency_id = data.get("agency_id")
        agency = db.session.get(Agency, agency_id) if isinstance(agency_id, int) else None
    else:
        agency = current_user.agency
    if agency is not None and not data.get("code"):
        codes = free_codes(agency)
        data["code"] = codes[0] if codes else ""
    if not data.get("username") and isinstance(data.get("name"), str) and data["name"].strip():
        data["username"] = services.suggest(data["name"].strip())
    return data


@bp.route("/platform/staff", methods=["GET"])
@bp.arguments(AgencyStaffListArgs, location="query")
@bp.response(200, AgencyStaffPageSchema)
@documented(bp, 401, 404)
def list_staff(args):
    """The agency staff the caller sees: every agency's for operators, else their agency or their own subtree"""
    statement = services.staff_statement(current_user, agency_id=args.get("agency_id"), active=args.get("active"),
                                         q=args.get("q"))
    if args.get("role"):
        statement = statement.where(PlatformUser.role == args["role"])
    return page_of(statement, (), args)


@bp.route("/platform/staff", methods=["POST"])
@bp.arguments(AgencyStaffInputSchema)
@bp.response(201, PlatformAccountSchema)
@documented(bp, 401, 404, e403="A rep manages nobody.")
def create_staff(data):
    """Add a person to an agency with a free code; they change the initial password at first sign-in"""
    if not services.may_manage(current_user):
        api_abort(403, _("You cannot add staff."))
    return services.create_staff(_with_defaults(data), actor=current_user)


@bp.route("/platform/staff/<int:staff_id>", methods=["GET"])
@bp.response(200, PlatformAccountSchema)
@documented(bp, 401, 404)
def get_staff(staff_id):
    """One person of an agency"""
    return found_or_404(services.get_visible_person(current_user, staff_id))


@bp.route("/platform/staff/<int:staff_id>", methods=["PATCH"])
@bp.arguments(AgencyStaffInputSchema)
@bp.response(200, PlatformAccountSchema)
@documented(bp, 401, 404, e403="The person is visible but the caller does not manage them.")
def update_staff(data, staff_id):
    """Change any of the fields; a new superior_id moves the person with their whole subtree; password resets it"""
    person = _managed(staff_id)
    data.pop("agency_id", None)  # a person stays in their agency (their code begins with its prefix)
    if data.get("decides_extensions") is None:
        data.pop("decides_extensions", None)
    if data.get("password") is None:
        data.pop("password", None)
    return services.update_staff(person, data, actor=current_user)


@bp.route("/platform/staff/<int:staff_id>/deactivate", methods=["POST"])
@bp.arguments(HandoverSchema)
@bp.response(200, AgencyDepartureSchema)
@documented(bp, 401, 404, e403="The person is visible but the caller does not manage them.")
def deactivate(data, staff_id):
    """离职: the person signs in no more and their code signs nobody up; their companies and people go to
    handover_to in one step"""
    person = _managed(staff_id)
    moved = services.deactivate_staff(person, data.get("handover_to"), actor=current_user)
    db.session.refresh(person)
    return {"staff": person, "moved": {"companies": moved}}
