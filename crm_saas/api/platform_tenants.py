"""Companies as the platform sees them (A2, A3): the list, an agency's applications, and a company's life.

Every lookup goes through the visibility rule (``tenants.agencies``): an
operator sees every company, agency staff their own, their subtree's or
their agency's; anyone else gets a 404, never a 403. Among what the caller
sees, the life changes (approve, reject, extend, suspend, reactivate) are
the operator's; moving a company to another rep is also an agency admin's
or supervisor's; renaming it and resetting its admin's password are
anyone's who sees it (seed 003 下篇 查看/修改客户资料). The changes are
``tenants.lifecycle``'s, each logged with its before and after.
"""
from flask_babel import gettext as _
from flask_login import current_user

from crm_saas.api.errors import api_abort
from crm_saas.api.paging import page
from crm_saas.api.platform_access import documented, platform_api_blueprint, visible_tenant
from crm_saas.api.platform_schemas import (
    AdminPasswordSchema,
    ApplicationSchema,
    AssignSchema,
    ExtendSchema,
    OptionalReasonSchema,
    PlatformTenantFiledSchema,
    PlatformTenantPageSchema,
    PlatformTenantSchema,
    ReasonSchema,
    RenameSchema,
    TenantListArgs,
)
from crm_saas.blueprints.platform.services import companies
from crm_saas.blueprints.platform.services.applications import file_application
from crm_saas.blueprints.platform.services.staff import get_visible_person
from crm_saas.core.errors import FieldErrors
from crm_saas.tenants import lifecycle
from crm_saas.tenants.agencies import get_visible_tenant

bp = platform_api_blueprint("api_platform_tenants", __name__,
                            "Companies as the platform sees them: the list, applications, and their life.")


def with_online(tenants):
    """The companies with ``online_users`` (people seen in the last 10 minutes), one query for all of them."""
    counts = companies.online_counts([tenant.id for tenant in tenants])
    for tenant in tenants:
        tenant.online_users = counts.get(tenant.id, 0)  # a plain attribute for the schema, not a column
    return tenants


def operator(user):
    return user.is_operator


def manages_assignments(user):
    return user.is_operator or user.role in ("admin", "supervisor")


@bp.route("/platform/tenants", methods=["GET"])
@bp.arguments(TenantListArgs, location="query")
@bp.response(200, PlatformTenantPageSchema)
@documented(bp, 401, 404)
def list_tenants(args):
    """The companies the caller sees: every one for operators, else their own, their team's or their agency's"""
    paging = {"page": args.pop("page"), "per_page": args.pop("per_page")}
    statement = companies.companies_statement(current_user, **args)
    rows, total = companies.page_of(statement, paging["page"], paging["per_page"])
    return page(with_online(rows), total, paging)


@bp.route("/platform/tenants", methods=["POST"])
@bp.arguments(ApplicationSchema)
@bp.response(201, PlatformTenantFiledSchema)
@documented(bp, 401, 404, e403="Operators file no applications: an agency rep files with their own code.")
def file_tenant(data):
    """An agency rep files a company's application with their own code: it waits for approval (pending), and its
    administrator is emailed a link to choose their password"""
    if current_user.is_operator:
        api_abort(403, _("Applications are filed by agency staff, with their own code."))
    tenant_id, sent = file_application(data, actor=current_user)
    tenant = get_visible_tenant(current_user, tenant_id)
    with_online([tenant])
    tenant.setup_link_sent = sent
    return tenant


@bp.route("/platform/tenants/<int:tenant_id>", methods=["GET"])
@bp.response(200, PlatformTenantSchema)
@documented(bp, 401, 404)
def get_tenant(tenant_id):
    """One company"""
    return with_online([visible_tenant(tenant_id)])[0]


def _answer(tenant):
    """The company after a change, read afresh (the change committed)."""
    return with_online([get_visible_tenant(current_user, tenant.id) or tenant])[0]


@bp.route("/platform/tenants/<int:tenant_id>/approve", methods=["POST"])
@bp.response(200, PlatformTenantSchema)
@documented(bp, 401, 403, 404, e422="The company is not waiting for approval (errors name status).")
def approve(tenant_id):
    """开通: approve a pending company; its trial starts now (the platform's length plus its agency's bonus)"""
    tenant = visible_tenant(tenant_id, allowed=operator)
    lifecycle.approve(tenant, actor=current_user)
    return _answer(tenant)


@bp.route("/platform/tenants/<int:tenant_id>/reject", methods=["POST"])
@bp.arguments(ReasonSchema)
@bp.response(200, PlatformTenantSchema)
@documented(bp, 401, 403, 404, e422="No reason, or the company is not waiting for approval.")
def reject(data, tenant_id):
    """Turn a pending company down; its applicant is emailed the reason"""
    tenant = visible_tenant(tenant_id, allowed=operator)
    lifecycle.reject(tenant, data.get("reason"), actor=current_user)
    return _answer(tenant)


@bp.route("/platform/tenants/<int:tenant_id>/extend", methods=["POST"])
@bp.arguments(ExtendSchema)
@bp.response(200, PlatformTenantSchema)
@documented(bp, 401, 403, 404, e422="Neither or both of days and until, a bad value, or a state that cannot be "
                                    "extended (pending, rejected).")
def extend(data, tenant_id):
    """延期: a new end date, days more or until a date; an expired company works again at once. paid: true makes it a
    subscription"""
    tenant = visible_tenant(tenant_id, allowed=operator)
    lifecycle.extend(tenant, days=data.get("days"), until=data.get("until"), paid=data.get("paid"),
                     actor=current_user, reason=(data.get("reason") or "").strip() or None)
    return _answer(tenant)


@bp.route("/platform/tenants/<int:tenant_id>/suspend", methods=["POST"])
@bp.arguments(ReasonSchema)
@bp.response(200, PlatformTenantSchema)
@documented(bp, 401, 403, 404, e422="No reason, or already suspended or rejected.")
def suspend(data, tenant_id):
    """Suspend a company with a reason: its users see a page naming whom to call; no data is touched"""
    tenant = visible_tenant(tenant_id, allowed=operator)
    lifecycle.suspend(tenant, data.get("reason"), actor=current_user)
    return _answer(tenant)


@bp.route("/platform/tenants/<int:tenant_id>/reactivate", methods=["POST"])
@bp.arguments(OptionalReasonSchema)
@bp.response(200, PlatformTenantSchema)
@documented(bp, 401, 403, 404, e422="The company is not suspended.")
def reactivate(data, tenant_id):
    """Lift a suspension: the company returns to where it was (pending, trial, active, or expired past its date)"""
    tenant = visible_tenant(tenant_id, allowed=operator)
    lifecycle.reactivate(tenant, actor=current_user, reason=data.get("reason"))
    return _answer(tenant)


@bp.route("/platform/tenants/<int:tenant_id>/rename", methods=["POST"])
@bp.arguments(RenameSchema)
@bp.response(200, PlatformTenantSchema)
@documented(bp, 401, 404)
def rename(data, tenant_id):
    """Rename a company (operators, and the agency staff who see it)"""
    tenant = visible_tenant(tenant_id)
    lifecycle.rename(tenant, data.get("name"), actor=current_user)
    return _answer(tenant)


@bp.route("/platform/tenants/<int:tenant_id>/reset-admin-password", methods=["POST"])
@bp.arguments(AdminPasswordSchema)
@bp.response(204)
@documented(bp, 401, 404)
def reset_admin_password(data, tenant_id):
    """Set the company administrator's password, to be changed at their next sign-in; their sessions and tokens
    end (operators, and the agency staff who see the company)"""
    tenant = visible_tenant(tenant_id)
    lifecycle.reset_admin_password(tenant, data.get("password"), actor=current_user)


@bp.route("/platform/tenants/<int:tenant_id>/assign", methods=["POST"])
@bp.arguments(AssignSchema)
@bp.response(200, PlatformTenantSchema)
@documented(bp, 401, 404, e403="A rep cannot move companies: their admin or supervisor, or an operator, can.")
def assign(data, tenant_id):
    """客户分配/转移: the company goes to another rep and that rep's agency (operators anywhere; an agency's admin or
    supervisor to the people they see)"""
    tenant = visible_tenant(tenant_id, allowed=manages_assignments,
                            refusal=_("Only an agency's admin or a supervisor can move companies."))
    rep_id = data.get("rep_id")
    if not current_user.is_operator and get_visible_person(current_user, rep_id) is None:
        raise FieldErrors({"rep_id": [_("Choose an active agency rep.")]})
    lifecycle.assign(tenant, rep_id, actor=current_user, reason=(data.get("reason") or "").strip() or None)
    return _answer(tenant)
