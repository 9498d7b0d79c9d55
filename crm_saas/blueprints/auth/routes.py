"""Login, logout and password change pages of a tenant host."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from crm_saas.blueprints.auth.forms import ChangePasswordForm, LoginForm
from crm_saas.blueprints.auth.login import end_session, start_session
from crm_saas.blueprints.auth.profile_routes import profile
from crm_saas.blueprints.auth.services import PasswordError, authenticate, change_own_password
from crm_saas.core import captcha
from crm_saas.core.forms import apply_errors
from crm_saas.core.throttle import failures_left, guarding_passwords
from crm_saas.core.views import safe_next
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("auth", __name__), TENANT_SCOPE)
bp.add_url_rule("/me", "profile", profile, methods=["GET", "POST"])  # the personal centre (B5)

LOGIN_MESSAGES = {
    "bad_credentials": lambda: _("Wrong username or password."),
    "inactive": lambda: _("This account has been disabled."),
}


@bp.route("/login", methods=["GET", "POST"])
@guarding_passwords
def login():
    """Sign in. From the third wrong password for an account from one address, the page warns how many
    are left and asks for the image code too (B6); a wrong code is refused before the password is tried."""
    form = LoginForm(username=request.args.get("username", ""))
    error = None
    code_asked = request.method == "POST" and _failures_so_far() >= WARN_AFTER_FAILURES
    if form.validate_on_submit():
        if code_asked and not captcha.solved(request.form.get("captcha_id"), request.form.get("captcha")):
            error = _("Type the characters shown in the image.")
        else:
            user, reason = authenticate(
                form.username.data, form.password.data,
                ip=request.remote_addr, user_agent=request.user_agent.string,
            )
            if user:
                start_session(user, ip=request.remote_addr, user_agent=request.user_agent.string)
                login_user(user)
                if user.must_change_password:
                    return redirect(url_for("auth.change_password"))
                return redirect(safe_next(request.args.get("next"), url_for("home.home")))
            error = LOGIN_MESSAGES[reason]()
    warning = _lockout_warning(error)
    captcha_id = captcha.issue() if code_asked or warning else None
    return render_template("auth/login.html", form=form, error=error, warning=warning, captcha_id=captcha_id), \
        200 if error is None else 401


@bp.route("/captcha/<challenge>.png")
def captcha_image(challenge):
    png = captcha.image(challenge)
    if png is None:
        abort(404)
    return Response(png, mimetype="image/png", headers={"Cache-Control": "no-store"})


# From this many wrong passwords in the limit's window on, the page says how many are left and asks for the
# image code (B6).
WARN_AFTER_FAILURES = 3


def _failures_so_far():
    """Wrong passwords already counted for this account from this address (0 where the limit says nothing)."""
    state = failures_left()
    return 0 if state is None else state[1] - state[0]


def _lockout_warning(error):
    """After the third wrong password: how many are left before sign-in from here waits, and how long."""
    state = failures_left() if error else None
    if state is None:
        return None
    left, allowed, minutes = state
    if allowed - left < WARN_AFTER_FAILURES:
        return None
    if left == 0:
        return ngettext("Sign-in from here now waits %(num)s minute.", "Sign-in from here now waits %(num)s minutes.",
                        minutes)
    return ngettext("%(num)s more wrong password and sign-in from here waits %(minutes)s minutes.",
                    "%(num)s more wrong passwords and sign-in from here waits %(minutes)s minutes.",
                    left, minutes=minutes)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        end_session(current_user)
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@guarding_passwords
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            change_own_password(user, form.old.data, form.new.data)
        except PasswordError as err:
            apply_errors(form, err.errors)
        else:
            login_user(user)  # the session token rotated: re-issue this session's cookie
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("home.home"))
    return render_template("auth/password.html", form=form)
