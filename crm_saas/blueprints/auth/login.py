"""Per-tenant login sessions: a session cookie names its tenant and the user's session token."""
from flask import redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from crm_saas.core.requests import is_api_request
from crm_saas.core.users import User
from crm_saas.extensions import db, login_manager
from crm_saas.tenants.resolve import current_tenant

# Endpoints a user who must change their password can still reach.
PASSWORD_CHANGE_ALLOWED = {"auth.change_password", "auth.logout", "static", "home.healthz", "home.language"}


def load_user(cookie_id):
    """Accept the cookie only on its own tenant, for an active user, with the current token."""
    tenant = current_tenant()
    try:
        tenant_id, user_id, token = cookie_id.split(":", 2)
    except ValueError:
        return None
    if tenant is None or str(tenant.id) != tenant_id or not user_id.isdigit():
        return None
    user = db.session.scalar(select(User).where(User.id == int(user_id)))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def enforce_password_change():
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in PASSWORD_CHANGE_ALLOWED
        and not is_api_request()  # the API answers 403 naming password instead (api/access.py)
    ):
        return redirect(url_for("auth.change_password"))
    return None


def init_app(app):
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    app.before_request(enforce_password_change)
