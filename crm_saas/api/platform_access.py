"""Who is calling the platform's API: a platform bearer token on the platform host, and nothing else.

The platform resources (``/api/v1/platform/...``) serve the bare base domain
only (``scoped`` to ``PLATFORM_SCOPE``: a 404 on every company host, before
any token is read) and admit a token from ``POST /api/v1/platform/auth/token``
(``platform_tokens`` in the public schema). A company's token is unknown
here, a 401, as a platform token is unknown on a company host. The caller
is put where Flask-Login looks (``g._login_user``), as ``api/access.py``
does for staff, so services take ``current_user`` as the actor.
"""
from functools import wraps

from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from crm_saas.api import api_blueprint
from crm_saas.api.access import bearer_guard
from crm_saas.api.errors import api_abort
from crm_saas.core.views import found_or_404
from crm_saas.tenants.accounts import user_for_token
from crm_saas.tenants.agencies import get_visible_tenant
from crm_saas.tenants.resolve import PLATFORM_SCOPE

PLATFORM_BEARER_SCHEME = "platformBearer"
# What a platform account whose password was set by someone else may still do.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"api_platform_auth.me", "api_platform_auth.change_password"})


class PlatformBlueprint(Blueprint):
    """A flask-smorest Blueprint whose operations are documented with the platform's bearer scheme.

    An operation that says otherwise (``@bp.doc(security=[])`` on getting a
    token) keeps its own.
    """

    def _store_endpoint_docs(self, endpoint, obj, parameters, tags, **options):
        super()._store_endpoint_docs(endpoint, obj, parameters, tags, **options)
        for key, doc in self._docs[endpoint].items():
            if key != "parameters":
                doc.setdefault("manual_doc", {}).setdefault("security", [{PLATFORM_BEARER_SCHEME: []}])


# What each refusal of a platform operation means, for the OpenAPI document.
ERROR_DOCS = {
    401: "No valid platform token (a company's token is unknown here).",
    403: "The record is visible to the caller but this action is not theirs.",
    404: "No such record, not one the caller sees, or asked on a company's host (no platform API there).",
    422: "Fields are invalid, or the record's state forbids the change: errors name each field.",
    429: "Too many tries from this address: wait a while.",
}


def documented(bp, *codes, **descriptions):
    """``@documented(bp, 401, 404, e403="...")``: the operation's refusals, in the standard words or its own."""
    def decorator(view):
        for code in sorted({*codes, *(int(key[1:]) for key in descriptions)}, reverse=True):
            view = bp.alt_response(code, description=descriptions.get(f"e{code}", ERROR_DOCS[code]))(view)
        return view

    return decorator


# ``before_request`` of every platform API blueprint: a live platform token, else 401.
require_platform_bearer = bearer_guard(
    user_for_token, PASSWORD_CHANGE_ENDPOINTS,
    lambda: _("Your password was set by someone else: change it first with POST /api/v1/platform/me/password."),
    realm="platform",
)


def platform_api_blueprint(name, import_name, description):
    """``api_blueprint`` for the platform host: platform tokens only, documented with the platform's scheme."""
    return api_blueprint(name, import_name, description, scope=PLATFORM_SCOPE, guard=require_platform_bearer,
                         blueprint_class=PlatformBlueprint)


def require_operator(message=None):
    """403 for agency staff, where the record (if any) is one they see."""
    if not current_user.is_operator:
        api_abort(403, message or _("Only the platform's operators may do this."))


def operators_only(view):
    """403 for agency staff before the body is read (lists and creations, where there is no record to hide)."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        require_operator()
        return view(*args, **kwargs)

    return wrapper


def visible_tenant(tenant_id, *, allowed=None, refusal=None):
    """The company in the path, 404 unless the caller sees it; then 403 (``refusal``) unless ``allowed(caller)``."""
    tenant = found_or_404(get_visible_tenant(current_user, tenant_id))
    if allowed is not None and not allowed(current_user):
        api_abort(403, refusal or _("Only the platform's operators may do this."))
    return tenant
