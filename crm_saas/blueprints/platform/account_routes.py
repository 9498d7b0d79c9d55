"""Signing in to the console: a password, then (operators) a TOTP code, enrolled on first sign-in; logging out.

An operator's password alone signs nobody in: it earns a five-minute
``platform_pending`` mark in the session, which the code step spends.
"""
import time

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from markupsafe import Markup

from crm_saas.blueprints.auth.forms import ChangePasswordForm, LoginForm
from crm_saas.blueprints.platform.blueprint import bp, console_required, signed_in
from crm_saas.blueprints.platform.forms import CodeForm
from crm_saas.core.errors import FieldErrors
from crm_saas.core.forms import apply_errors
from crm_saas.core.throttle import guarding_passwords
from crm_saas.core.views import safe_next
from crm_saas.extensions import db
from crm_saas.tenants import accounts
from crm_saas.tenants.models import PlatformUser

PENDING_SECONDS = 300
REFUSALS = {
    "bad_credentials": lambda: _("Wrong username or password."),
    "inactive": lambda: _("This account has been disabled."),
    "locked": lambda: _("Too many failed attempts: this account is locked for %(minutes)s minutes.",
                        minutes=accounts.LOCK_MINUTES),
    "bad_otp": lambda: _("That code is wrong or was already used. Enter the current code."),
}


def _who():
    return {"ip": request.remote_addr, "user_agent": request.user_agent.string}


def _sign_in(user):
    accounts.start_session(user, **_who())
    login_user(user)
    session.pop("platform_pending", None)
    if user.must_change_password:
        return redirect(url_for("platform.change_password"))
    return redirect(safe_next(request.args.get("next"), url_for("platform.home")))


def _pending_user():
    """The operator whose password was right in the last five minutes, waiting for their code."""
    pending = session.get("platform_pending") or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(PlatformUser, pending.get("id"))
    return user if user is not None and user.active and user.is_operator else None


@bp.route("/")
@console_required
def home():
    return redirect(url_for("platform.companies"))


@bp.route("/login", methods=["GET", "POST"])
@guarding_passwords
def login():
    if signed_in():
        return redirect(url_for("platform.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user, reason = accounts.check_password(form.username.data, form.password.data)
        if reason is None and user.is_operator:
            session["platform_pending"] = {"id": user.id, "at": time.time()}
            step = "platform.otp" if user.totp_confirmed else "platform.enrol"
            return redirect(url_for(step, next=request.args.get("next")))
        accounts.record_attempt(form.username.data, user, reason, **_who())
        if reason is None:
            return _sign_in(user)
        error = REFUSALS[reason]()
    return render_template("platform/login.html", form=form, error=error), 200 if error is None else 401


@bp.route("/otp", methods=["GET", "POST"])
@guarding_passwords
def otp():
    user = _pending_user()
    if user is None or not user.totp_confirmed:
        return redirect(url_for("platform.login"))
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        reason = None if accounts.take_code(user, form.code.data) else "bad_otp"
        if user.locked_until and user.locked_until > accounts.utcnow():
            reason = "locked"
        accounts.record_attempt(user.username, user, reason, **_who())
        if reason is None:
            return _sign_in(user)
        error = REFUSALS[reason]()
    return render_template("platform/otp.html", form=form, error=error), 200 if error is None else 401


@bp.route("/enrol", methods=["GET", "POST"])
@guarding_passwords
def enrol():
    """First sign-in of an operator: scan the QR code (or type the key), then prove it with a first code."""
    user = _pending_user()
    if user is None or user.totp_confirmed:
        return redirect(url_for("platform.login"))
    if not user.totp_secret:
        accounts.new_totp_secret(user)
        db.session.commit()
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        if accounts.confirm_totp(user, form.code.data):
            accounts.record_attempt(user.username, user, None, **_who())
            return _sign_in(user)
        accounts.record_attempt(user.username, user, "bad_otp", **_who())
        error = REFUSALS["bad_otp"]()
    uri = accounts.provisioning_uri(user)
    return render_template("platform/enrol.html", form=form, error=error, qr=Markup(_qr_svg(uri)),
                           secret=accounts.totp_secret(user)), 200 if error is None else 401


def _qr_svg(uri):
    import segno  # noqa: PLC0415  (start-up cost: only the enrolment page draws one)

    return segno.make(uri, error="m").svg_inline(scale=5, title=_("QR code for your authenticator app"))


@bp.route("/logout", methods=["POST"])
def logout():
    if signed_in():
        accounts.end_session(current_user)
    logout_user()
    return redirect(url_for("platform.login"))


@bp.route("/password", methods=["GET", "POST"])
@console_required
@guarding_passwords
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            accounts.change_own_password(user, form.old.data, form.new.data)
        except FieldErrors as err:
            apply_errors(form, err.errors)
        else:
            login_user(user)  # the session token rotated: re-issue this session's cookie
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("platform.home"))
    return render_template("auth/password.html", form=form)
