"""Who is calling: the bearer token, and nothing else.

The session cookie is never consulted, so a browser that happens to be
logged in cannot be made to call the API from another site. The user is put
where Flask-Login looks for the current user (``g._login_user``, as
``login_user`` itself does) without ``login_user``'s cookie, so views and
services use ``current_user`` as on the web.
"""
from flask import current_app, g, request
from flask_babel import gettext as _

from crm_saas.api.errors import api_abort
from crm_saas.blueprints.auth.services import user_for_token

# What a user whose password was set by someone else may still do (API.md).
PASSWORD_CHANGE_ENDPOINTS = frozenset({"api_auth.me", "api_auth.change_password"})


def public(view):
    """Mark a view callable without a token (only getting one)."""
    view.api_public = True
    return view


def bearer_token():
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def bearer_guard(lookup, password_endpoints, password_message, realm="api"):
    """A ``before_request`` admitting a live bearer token that ``lookup(token)`` finds the owner of, else 401.

    The owner becomes ``current_user``; one whose password was set by
    someone else reaches ``password_endpoints`` only, else 403 naming
    ``password`` with ``password_message()``. Used for a company's staff
    (``require_bearer``) and the platform's accounts (api/platform_access.py).
    """
    def require():
        view = current_app.view_functions.get(request.endpoint)
        if getattr(view, "api_public", False):
            return None
        token = bearer_token()
        user = lookup(token) if token else None
        if user is None:
            api_abort(401, headers={"WWW-Authenticate": f'Bearer realm="{realm}"'})
        g._login_user = user
        g.api_token = token
        if user.must_change_password and request.endpoint not in password_endpoints:
            api_abort(403, errors={"password": [password_message()]})
        return None

    return require


# ``before_request`` of every API blueprint (after the tenant is bound from the host). Tokens live in the
# tenant's schema, so a token only works on its own company's host: elsewhere it is simply unknown, a 401.
require_bearer = bearer_guard(
    user_for_token, PASSWORD_CHANGE_ENDPOINTS,
    lambda: _("Your password was set by someone else: change it first with POST /api/v1/me/password."),
)
