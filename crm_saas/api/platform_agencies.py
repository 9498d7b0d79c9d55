"""Agencies (A3): the operator creates them with their code prefix and edits them.

The list and every write are the operators'; agency staff are answered
403 there (there is no record to hide in a list, and creating is not
theirs). One agency is readable by its own staff (they know its id from
``/platform/me``); any other is a 404 to them.
"""
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from crm_saas.api.paging import page_of
from crm_saas.api.platform_access import documented, operators_only, platform_api_blueprint, require_operator
from crm_saas.api.platform_schemas import AgencyInputSchema, AgencyListArgs, AgencyPageSchema, AgencySchema
from crm_saas.blueprints.platform.services.agency_admin import create_agency, update_agency
from crm_saas.core.views import found_or_404
from crm_saas.extensions import db
from crm_saas.tenants.models import Agency

bp = platform_api_blueprint("api_platform_agencies", __name__, "Agencies and their rep code prefixes.")


def visible_agency(agency_id):
    """Any agency for operators; their own for agency staff; else None (a 404)."""
    if current_user.is_operator or current_user.agency_id == agency_id:
        return db.session.get(Agency, agency_id)
    return None


@bp.route("/platform/agencies", methods=["GET"])
@operators_only
@bp.arguments(AgencyListArgs, location="query")
@bp.response(200, AgencyPageSchema)
@documented(bp, 401, 404, e403="Agency staff: the list of agencies is the operators'.")
def list_agencies(args):
    """Every agency, by prefix (operators)"""
    statement = select(Agency)
    if args.get("status"):
        statement = statement.where(Agency.status == args["status"])
    q = (args.get("q") or "").strip()
    if q:
        statement = statement.where(or_(Agency.prefix.icontains(q, autoescape=True),
                                        Agency.name.icontains(q, autoescape=True)))
    return page_of(statement, (Agency.prefix, Agency.id), args)


@bp.route("/platform/agencies", methods=["POST"])
@operators_only
@bp.arguments(AgencyInputSchema)
@bp.response(201, AgencySchema)
@documented(bp, 401, 404, e403="Only operators create agencies.")
def create(data):
    """Create an agency with its prefix (two letters of region, two digits), name, contact, status and bonus days"""
    return create_agency(data, current_user)


@bp.route("/platform/agencies/<int:agency_id>", methods=["GET"])
@bp.response(200, AgencySchema)
@documented(bp, 401, e404="No such agency, or not the caller's own (agency staff see their own only).")
def get_agency(agency_id):
    """One agency (operators; agency staff their own)"""
    return found_or_404(visible_agency(agency_id))


@bp.route("/platform/agencies/<int:agency_id>", methods=["PATCH"])
@bp.arguments(AgencyInputSchema)
@bp.response(200, AgencySchema)
@documented(bp, 401, e403="Agency staff cannot change their agency.",
            e404="No such agency, or not the caller's own.")
def update(data, agency_id):
    """Change an agency's name, contact, phone, status or bonus days (the prefix is fixed: codes begin with it)"""
    agency = found_or_404(visible_agency(agency_id))
    require_operator(_("Agency staff cannot change their agency."))
    return update_agency(agency, data, current_user)
