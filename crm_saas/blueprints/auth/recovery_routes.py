"""The "forgot password" pages of a company host (B6): ask for a link, then use it.

Hung on the auth blueprint (imported by routes.py). Asking is limited per
address (``CRM_PASSWORD_RESET_RATE``) and answers the same whether or not
anyone matched (recovery.py).
"""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from redis.exceptions import RedisError

from crm_saas.blueprints.auth.forms import ForgotPasswordForm, ResetPasswordForm
from crm_saas.blueprints.auth.recovery import ResetError, request_reset, reset_password, valid_reset
from crm_saas.blueprints.auth.routes import bp
from crm_saas.core import mail
from crm_saas.core.forms import apply_errors
from crm_saas.core.throttle import by_address
from crm_saas.extensions import db, limiter


def _reset_rate():
    return current_app.config["CRM_PASSWORD_RESET_RATE"]


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_reset_rate, key_func=by_address, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    sent = False
    if mail.configured() and form.validate_on_submit():
        try:
            request_reset(form.identifier.data, ip=request.remote_addr,
                          link_for=lambda token: url_for("auth.reset", token=token, _external=True))
        except RedisError:  # the queue is down: nothing was sent, and the person is told to try again
            db.session.rollback()
            flash(_("Email cannot be sent just now. Try again in a minute."), "error")
            return render_template("auth/forgot.html", form=form, sent=False), 503
        sent = True
    return render_template("auth/forgot.html", form=form, sent=sent, available=mail.configured())


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset(token):
    if valid_reset(token) is None:
        return render_template("auth/reset_expired.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = reset_password(token, form.password.data, form.confirm.data)
        except ResetError as err:
            apply_errors(form, err.errors)
        else:
            flash(_("Your password has been changed. Sign in with the new one."), "success")
            return redirect(url_for("auth.login", username=user.username))
    return render_template("auth/reset.html", form=form), 422 if form.errors else 200
