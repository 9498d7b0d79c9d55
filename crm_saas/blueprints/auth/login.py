"""Per-tenant login sessions: a cookie names its tenant, the person, their session token and its own session.

A session is a row (``LoginSession``): logging out ends it on the server, so
a copy of the cookie taken before stops working too.
"""

from flask import redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm_saas.core import credentials
from crm_saas.core.requests import is_api_request
from crm_saas.core.users import LoginSession, User
from crm_saas.extensions import login_manager
from crm_saas.tenants import accounts
from crm_saas.tenants.resolve import current_tenant

# Endpoints a user who must change their password can still reach (a company's person, a platform account).
PASSWORD_CHANGE_ALLOWED = {"auth.change_password", "auth.logout", "static", "home.healthz", "home.language",
                           "platform.change_password", "platform.logout"}


def load_user(cookie_id):
    """Accept the cookie only on its own tenant, for an active user, with the current token, in a live session.

    One statement: the person and their session, joined. A platform account's
    cookie (``p:...``) is asked of the platform's accounts on the platform
    host only; on a company host it is nothing, as a company's cookie is
    nothing on the platform host.
    """
    tenant = current_tenant()
    if cookie_id.startswith("p:"):
        return accounts.load_cookie(cookie_id) if tenant is None else None
    try:
        tenant_id, user_id, token, key = cookie_id.split(":", 3)
    except ValueError:
        return None
    if tenant is None or str(tenant.id) != tenant_id:
        return None
    return credentials.session_owner(User, LoginSession, user_id, token, key)


def start_session(user, *, ip=None, user_agent=None):
    """A new browser session for ``user`` (call before ``login_user``, which writes its key into the cookie)."""
    credentials.start_session(LoginSession, user, ip=ip, user_agent=user_agent)


def end_session(user):
    """End the session ``user`` came in with (logout): its cookie, and every copy of it, stops working."""
    credentials.end_session(LoginSession, user)


def enforce_password_change():
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in PASSWORD_CHANGE_ALLOWED
        and not is_api_request()  # the API answers 403 naming password instead (api/access.py)
    ):
        platform = getattr(current_user, "is_platform", False)
        return redirect(url_for("platform.change_password" if platform else "auth.change_password"))
    return None


def init_app(app):
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    app.before_request(enforce_password_change)
