"""Tokens and the caller's own record.

Getting a token goes through the same ``authenticate`` as the login page, so
API attempts are logged (channel ``api``) and meet the same limits (core/throttle.py).
"""
from flask import g, request
from flask_babel import gettext as _
from flask_login import current_user

from crm_saas.api import api_blueprint
from crm_saas.api.access import public
from crm_saas.api.errors import api_abort
from crm_saas.api.schemas import PasswordChangeSchema, StaffSchema, TokenRequestSchema, TokenSchema
from crm_saas.blueprints.auth import services
from crm_saas.core.throttle import guarding_passwords

bp = api_blueprint("api_auth", __name__, "Tokens and the caller's own staff record.")

REFUSALS = {
    "bad_credentials": lambda: _("Wrong username or password."),
    "inactive": lambda: _("This account has been disabled."),
}


@bp.route("/auth/token", methods=["POST"])
@public
@bp.doc(security=[])
@bp.arguments(TokenRequestSchema)
@bp.response(200, TokenSchema)
@bp.alt_response(401, description="Wrong credentials, or a disabled account.")
@bp.alt_response(429, description="Too many tries from this address, or wrong passwords for this account from it.")
@guarding_passwords
def issue_token(credentials):
    """Exchange a username and password for a bearer token"""
    user, reason = services.authenticate(
        credentials["username"], credentials["password"], channel="api",
        ip=request.remote_addr, user_agent=request.user_agent.string,
    )
    if user is None:
        api_abort(401, REFUSALS[reason]())
    token, expires_at = services.issue_token(user)
    return {"token": token, "expires_at": expires_at}


@bp.route("/auth/token", methods=["DELETE"])
@bp.response(204)
def revoke_token():
    """Revoke the bearer token of this request"""
    services.revoke_token(g.api_token)


@bp.route("/me", methods=["GET"])
@bp.response(200, StaffSchema)
def me():
    """The caller's staff record"""
    return current_user


@bp.route("/me/password", methods=["POST"])
@bp.arguments(PasswordChangeSchema)
@bp.response(204)
@bp.alt_response(429, description="Too many wrong current passwords from this address.")
@guarding_passwords
def change_password(body):
    """Change the caller's own password (required first when someone else set it)"""
    services.change_own_password(current_user, body["old"], body["new"], keep_token=g.api_token)
