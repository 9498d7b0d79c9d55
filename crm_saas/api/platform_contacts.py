"""添加/查看联系记录: the agency's contact log of one company (time, way, summary, next contact).

Whoever sees the company reads and adds to its log (a rep, their
superiors, the agency's admin, an operator); the company itself is never
read, only the platform's notes about it.
"""
from flask_login import current_user
from sqlalchemy import select

from crm_saas.api.paging import PageArgs, page_of
from crm_saas.api.platform_access import documented, platform_api_blueprint, visible_tenant
from crm_saas.api.platform_schemas import AgencyContactInputSchema, AgencyContactPageSchema, AgencyContactSchema
from crm_saas.blueprints.platform.services.contacts import add_contact
from crm_saas.tenants.models import AgencyContact

bp = platform_api_blueprint("api_platform_contacts", __name__, "The agency's contact log of a company.")


@bp.route("/platform/tenants/<int:tenant_id>/contacts", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, AgencyContactPageSchema)
@documented(bp, 401, 404)
def list_contacts(args, tenant_id):
    """The company's contact log, newest first"""
    tenant = visible_tenant(tenant_id)
    statement = select(AgencyContact).where(AgencyContact.tenant_id == tenant.id)
    return page_of(statement, (AgencyContact.occurred_at.desc(), AgencyContact.id.desc()), args)


@bp.route("/platform/tenants/<int:tenant_id>/contacts", methods=["POST"])
@bp.arguments(AgencyContactInputSchema)
@bp.response(201, AgencyContactSchema)
@documented(bp, 401, 404)
def add(data, tenant_id):
    """Log a contact with the company (default now, by phone) and when to get in touch next"""
    return add_contact(visible_tenant(tenant_id), data, actor=current_user)
