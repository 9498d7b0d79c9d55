"""Platform tokens and the caller's own platform account.

Getting a token goes through the console's ``authenticate`` (channel
``api``): the same password rules, TOTP for operators (a code works once),
lockout, login log and per-address limits (core/throttle.py) as signing in
to the console.
"""
from flask import g, request
from flask_babel import gettext as _
from flask_login import current_user

from crm_saas.api.access import public
from crm_saas.api.errors import api_abort
from crm_saas.api.platform_access import documented, platform_api_blueprint
from crm_saas.api.platform_schemas import PlatformAccountSchema, PlatformTokenRequestSchema
from crm_saas.api.schemas import PasswordChangeSchema, TokenSchema
from crm_saas.core.throttle import guarding_passwords
from crm_saas.tenants import accounts

bp = platform_api_blueprint("api_platform_auth", __name__, "Platform tokens and the caller's own platform account.")

REFUSALS = {
    "bad_credentials": lambda: _("Wrong username or password."),
    "inactive": lambda: _("This account has been disabled."),
    "locked": lambda: _("Too many failed attempts: this account is locked for %(minutes)s minutes.",
                        minutes=accounts.LOCK_MINUTES),
    "bad_otp": lambda: _("That code is wrong or was already used: wait for the next one."),
}
# Refusals that name the missing second factor, as a field.
OTP_REFUSALS = {
    "otp_required": lambda: _("Operators must send the current code of their authenticator app."),
    "otp_not_enrolled": lambda: _("Finish setting up the authenticator app by signing in to the console first."),
}


@bp.route("/platform/auth/token", methods=["POST"])
@public
@bp.doc(security=[])
@bp.arguments(PlatformTokenRequestSchema)
@bp.response(200, TokenSchema)
@documented(bp, 404, e401="Wrong credentials or code, a locked or disabled account, or an operator without a code "
                         "(errors name otp).",
           e429="Too many tries from this address, or wrong passwords for this account from it.")
@guarding_passwords
def issue_token(credentials):
    """Exchange a platform username, password and (operators) TOTP code for a platform bearer token"""
    user, reason = accounts.authenticate(
        credentials["username"], credentials["password"], credentials.get("otp"), channel="api",
        ip=request.remote_addr, user_agent=request.user_agent.string,
    )
    if reason in OTP_REFUSALS:
        api_abort(401, errors={"otp": [OTP_REFUSALS[reason]()]})
    if user is None:
        api_abort(401, REFUSALS.get(reason, REFUSALS["bad_credentials"])())
    token, expires_at = accounts.issue_token(user)
    return {"token": token, "expires_at": expires_at}


@bp.route("/platform/auth/token", methods=["DELETE"])
@bp.response(204)
@documented(bp, 401, 404)
def revoke_token():
    """Revoke the platform bearer token of this request"""
    accounts.revoke_token(g.api_token)


@bp.route("/platform/me", methods=["GET"])
@bp.response(200, PlatformAccountSchema)
@documented(bp, 401, 404)
def me():
    """The caller's platform account"""
    return current_user


@bp.route("/platform/me/password", methods=["POST"])
@bp.arguments(PasswordChangeSchema)
@bp.response(200, TokenSchema)
@documented(bp, 401, 404, e422="The current password is wrong, or the new one breaks the rules (errors name old or "
                              "new).",
           e429="Too many wrong current passwords from this address.")
@guarding_passwords
def change_password(body):
    """Change the caller's own password (required first when someone else set it); every token of theirs ends,
    this one too, and the answer carries a new one"""
    accounts.change_own_password(current_user, body["old"], body["new"])
    token, expires_at = accounts.issue_token(current_user)
    return {"token": token, "expires_at": expires_at}
