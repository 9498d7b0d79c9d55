"""Find the tenant from the request's host, before any tenant code runs.

``acme.<CRM_BASE_DOMAIN>`` (or any other domain recorded for a tenant) is a
tenant host; the bare base domain is the platform's own site; any other host
is a 404. Blueprints declare which of the two they serve, and a request for
the wrong one is also a 404, so a tenant page can never run without a tenant.
"""
from flask import abort, current_app, g, request
from sqlalchemy import select

from crm_saas.extensions import db
from crm_saas.tenants.binding import bind_schema, unbind
from crm_saas.tenants.models import Tenant, TenantDomain

TENANT_SCOPE = "tenant"
PLATFORM_SCOPE = "platform"
_scopes = {}


def scoped(blueprint, scope):
    """Mark a blueprint as serving tenant hosts or the platform host only."""
    _scopes[blueprint.name] = scope
    return blueprint


def current_tenant():
    return g.get("tenant")


def request_hostname():
    return request.host.split(":", 1)[0].lower().rstrip(".")


def tenant_for_host(hostname):
    return db.session.scalar(
        select(Tenant).join(TenantDomain).where(TenantDomain.domain == hostname)
    )


def resolve_tenant():
    """``before_request``: bind the tenant of this host, or answer 404."""
    if request.endpoint in ("home.healthz", "static"):
        return None
    hostname = request_hostname()
    base = current_app.config["CRM_BASE_DOMAIN"].lower()
    tenant = None
    if hostname != base:
        tenant = tenant_for_host(hostname)
        if tenant is None or not tenant.is_open:
            abort(404)
    scope = _scopes.get(request.blueprint)
    if (scope == TENANT_SCOPE and tenant is None) or (scope == PLATFORM_SCOPE and tenant is not None):
        abort(404)
    if tenant is not None:
        # Leave the public lookup's session behind: the tenant's work starts fresh.
        db.session.expunge(tenant)
        db.session.remove()
        g.tenant = tenant
        g.tenant_binding = bind_schema(tenant.schema_name)
    return None


def release_tenant(exc=None):
    token = g.pop("tenant_binding", None)
    if token is not None:
        unbind(token)


def tenant_host(slug):
    """``slug.base-domain[:port]`` for links that cross from the platform to a tenant."""
    port = request.host.partition(":")[2]
    host = f"{slug}.{current_app.config['CRM_BASE_DOMAIN']}"
    return f"{host}:{port}" if port else host
