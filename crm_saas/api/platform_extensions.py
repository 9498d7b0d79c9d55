"""客户延期: agency staff ask for more days for one of their companies; the operator decides.

Requests are seen with their companies (the visibility rule): agency
staff see those of the companies they see, operators all. Deciding is
``lifecycle.may_decide_extensions``'s: operators, and the agency admins or
supervisors an operator allowed. Approval moves the end date in the same
transaction; the history stays on the company.
"""
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from crm_saas.api.errors import api_abort
from crm_saas.api.paging import page_of
from crm_saas.api.platform_access import documented, platform_api_blueprint
from crm_saas.api.platform_schemas import (
    ExtensionListArgs,
    ExtensionRequestInputSchema,
    ExtensionRequestPageSchema,
    ExtensionRequestSchema,
    ReasonSchema,
)
from crm_saas.core.errors import FieldErrors
from crm_saas.core.views import found_or_404
from crm_saas.extensions import db
from crm_saas.tenants import lifecycle
from crm_saas.tenants.agencies import get_visible_tenant, visible_tenants
from crm_saas.tenants.models import ExtensionRequest, Tenant

bp = platform_api_blueprint("api_platform_extensions", __name__,
                            "Extension requests: agency staff ask for more days, the operator decides.")


def requests_seen(viewer):
    """``select(ExtensionRequest)`` of the companies ``viewer`` sees, each with its company loaded."""
    statement = select(ExtensionRequest).join(Tenant, Tenant.id == ExtensionRequest.tenant_id)
    return visible_tenants(statement, viewer).options(contains_eager(ExtensionRequest.tenant))


def deciding(request_id):
    """The request in the path: 404 unless its company is seen, 403 unless the caller decides extensions."""
    row = found_or_404(db.session.scalar(requests_seen(current_user).where(ExtensionRequest.id == request_id)))
    if not lifecycle.may_decide_extensions(current_user):
        api_abort(403, _("Only operators, and the agency staff they allowed, decide extension requests."))
    return row


@bp.route("/platform/extension-requests", methods=["GET"])
@bp.arguments(ExtensionListArgs, location="query")
@bp.response(200, ExtensionRequestPageSchema)
@documented(bp, 401, 404)
def list_requests(args):
    """The extension requests of the companies the caller sees, newest first"""
    statement = requests_seen(current_user)
    if args.get("status"):
        statement = statement.where(ExtensionRequest.status == args["status"])
    if args.get("tenant_id") is not None:
        statement = statement.where(ExtensionRequest.tenant_id == args["tenant_id"])
    return page_of(statement, (ExtensionRequest.requested_at.desc(), ExtensionRequest.id.desc()), args)


@bp.route("/platform/extension-requests", methods=["POST"])
@bp.arguments(ExtensionRequestInputSchema)
@bp.response(201, ExtensionRequestSchema)
@documented(bp, 401, 404, e403="Operators extend a company directly (POST /platform/tenants/{id}/extend).",
            e422="No company of the caller's, a bad number of days, no reason, a request already waiting, or a "
                 "company that cannot be extended.")
def create_request(data):
    """Ask for more days for one of the caller's companies, with a reason; it waits for a decision"""
    if current_user.is_operator:
        api_abort(403, _("Operators extend a company directly."))
    tenant = get_visible_tenant(current_user, data.get("tenant_id"))
    if tenant is None:
        raise FieldErrors({"tenant_id": [_("Choose one of your companies.")]})
    return lifecycle.request_extension(tenant, data.get("days"), data.get("reason"), actor=current_user)


@bp.route("/platform/extension-requests/<int:request_id>/approve", methods=["POST"])
@bp.response(200, ExtensionRequestSchema)
@documented(bp, 401, 403, 404, e422="Already decided, or the company can no longer be extended.")
def approve(request_id):
    """Approve: the company's end date moves by the days asked, at once"""
    return lifecycle.decide_extension(deciding(request_id), True, actor=current_user)


@bp.route("/platform/extension-requests/<int:request_id>/reject", methods=["POST"])
@bp.arguments(ReasonSchema)
@bp.response(200, ExtensionRequestSchema)
@documented(bp, 401, 403, 404, e422="No reason, or already decided.")
def reject(data, request_id):
    """Turn the request down with a reason"""
    return lifecycle.decide_extension(deciding(request_id), False, actor=current_user, reason=data.get("reason"))
