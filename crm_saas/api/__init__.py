"""Public JSON API v1 (API.md), documented by flask-smorest at /api/v1/openapi.json.

Each resource module declares a flask-smorest Blueprint through
``api_blueprint``, which gives all of them the same three properties: they
serve tenant hosts only, they skip CSRF (no cookie is ever accepted, so a
forged cross-site request has nothing to ride on), and they admit a caller
by bearer token alone; and a service's refusal (``FieldErrors``) answers the
422 of API.md, so resource modules parse, call a service and serialise.
The platform's resources (``/api/v1/platform/...``) are built the same way
for the platform host, with platform tokens (``platform_api_blueprint`` in
platform_access.py).
"""
from flask_smorest import Blueprint

from crm_saas.api.access import require_bearer
from crm_saas.api.errors import handle_field_errors
from crm_saas.core.errors import FieldErrors
from crm_saas.core.permissions import module_gate
from crm_saas.core.requests import API_PREFIX
from crm_saas.extensions import csrf
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

BEARER_SCHEME = "bearerAuth"


def api_blueprint(name, import_name, description, *, scope=TENANT_SCOPE, guard=require_bearer,
                  blueprint_class=Blueprint, module=None):
    """A resource module's blueprint: company hosts and staff tokens by default; the platform's resources pass
    their host, their guard and their documented class (api/platform_access.py). ``module``: the right that
    opens it (core/permissions.py ``MODULES``), checked once the token has named the caller."""
    bp = blueprint_class(name, import_name, url_prefix=API_PREFIX, description=description)
    bp.before_request(guard)
    if module:
        bp.before_request(module_gate(module))
    bp.register_error_handler(FieldErrors, handle_field_errors)
    csrf.exempt(bp)
    return scoped(bp, scope)


def init_app(app):
    from marshmallow import fields
    from werkzeug.exceptions import HTTPException

    from crm_saas.api import (
        activities,
        auth,
        bulk,
        campaigns,
        custom_fields,
        customer_actions,
        customers,
        dashboard,
        deals,
        errors,
        exports,
        files,
        imports,
        pipelines,
        platform_agencies,
        platform_auth,
        platform_contacts,
        platform_extensions,
        platform_staff,
        platform_tenants,
        pool_actions,
        pools,
        reports,
        roles,
        segments,
        service_requests,
        shares,
        staff,
        targets,
        tasks,
        webhooks,
    )
    from crm_saas.api.platform_access import PLATFORM_BEARER_SCHEME
    from crm_saas.api.schemas import ErrorSchema
    from crm_saas.core.edge import BigIntConverter
    from crm_saas.extensions import api

    api.ERROR_SCHEMA = ErrorSchema  # documents our error body, not flask-smorest's
    api.init_app(app, spec_kwargs={"security": [{BEARER_SCHEME: []}]})
    # Every integer fits a BIGINT (core/edge.py refuses more): the document says so, for ids in paths too.
    api.register_field(fields.Integer, "integer", "int64")
    # Money and amounts travel as decimal strings ("1234.50"), and the document says strings.
    api.register_field(fields.Decimal, "string", "decimal")
    api.register_converter(BigIntConverter, lambda converter: {"type": "integer", "format": "int64", "minimum": 0})
    api.spec.components.security_scheme(BEARER_SCHEME, {
        "type": "http", "scheme": "bearer",
        "description": "A token from POST /api/v1/auth/token, valid on its own company's host only.",
    })
    api.spec.components.security_scheme(PLATFORM_BEARER_SCHEME, {
        "type": "http", "scheme": "bearer",
        "description": "A token from POST /api/v1/platform/auth/token, valid on the platform host only.",
    })
    # Replaces the handler api.init_app just registered (same key): see errors.py.
    app.register_error_handler(HTTPException, errors.handle_http_exception)
    for module in (auth, staff, bulk, customer_actions, customers, pipelines, deals, exports, files, custom_fields,
                   activities, tasks, shares, pools, pool_actions, imports, dashboard, reports, targets, roles,
                   service_requests, campaigns, segments, webhooks, platform_auth,
                   platform_tenants, platform_contacts, platform_agencies, platform_staff, platform_extensions):
        api.register_blueprint(module.bp)
