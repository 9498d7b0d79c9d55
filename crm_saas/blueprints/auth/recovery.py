"""Forgotten passwords (B6): an emailed link that works once, for half an hour, and ends every other way in.

Asking answers the same whether or not the name or address belongs to
anyone, and takes as long: the message is queued for a worker (core/mail.py),
never sent in the request, and a request for nobody queues nothing. A new
request retires the person's earlier links. Using a link sets the new
password (the policy applies), ends every session (``set_password`` rotates
the session token) and every API token, and retires every other link of
theirs. Only the token's SHA-256 is stored.
"""
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from crm_saas.blueprints.auth.services import revoke_tokens
from crm_saas.core import mail
from crm_saas.core.audit import record
from crm_saas.core.base import utcnow
from crm_saas.core.errors import FieldErrors
from crm_saas.core.passwords import policy_errors, set_password
from crm_saas.core.users import PasswordReset, User, secret_digest
from crm_saas.extensions import db


class ResetError(FieldErrors):
    """A refused new password: ``password`` or ``confirm``."""


def request_reset(identifier, *, link_for, ip=None):
    """Email a reset link to the active person ``identifier`` names (username or email), if anyone.

    ``link_for(token)`` is the absolute URL of the reset page. Returns
    nothing the caller could tell a person from nobody by.
    """
    identifier = (identifier or "").strip()
    if not identifier or not mail.configured():
        return
    user = db.session.scalar(select(User).where(
        User.active.is_(True), User.email.is_not(None), User.email != "",
        or_(func.lower(User.username) == identifier.lower(), func.lower(User.email) == identifier.lower()),
    ).order_by(User.id).limit(1))
    if user is None:
        return
    now = utcnow()
    db.session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
                       .values(used_at=now))  # only the newest link works
    token = secrets.token_urlsafe(32)
    minutes = current_app.config["CRM_PASSWORD_RESET_MINUTES"]
    db.session.add(PasswordReset(user_id=user.id, token_hash=secret_digest(token), created_at=now,
                                 expires_at=now + timedelta(minutes=minutes), ip=ip))
    subject, body = _message(user, link_for(token), minutes)
    db.session.commit()
    mail.queue(user.email, subject, body)


def _message(user, link, minutes):
    """The email, in the person's own language when they chose one, else in the page's that asked."""
    with force_locale(user.locale or str(get_locale())):
        subject = _("Reset your password")
        body = _(
            "Hello %(name)s,\n\nSomeone (we hope you) asked to reset the password of your account %(username)s. "
            "Open this link within %(minutes)s minutes to choose a new one; it works once:\n\n%(link)s\n\n"
            "If it was not you, ignore this email: your password stays as it is.",
            name=user.name, username=user.username, minutes=minutes, link=link)
    return subject, body


def valid_reset(token):
    """The unused, unexpired reset row ``token`` names, for an active person, or None."""
    row = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == secret_digest(token or "")))
    if row is None or row.used_at is not None or row.expires_at <= utcnow() or not row.user.active:
        return None
    return row


def reset_password(token, password, confirm):
    """Set the new password through the link ``token``; returns the person. Raises ResetError, or
    LookupError when the link no longer works."""
    row = valid_reset(token)
    if row is None:
        raise LookupError(token)
    errors = {}
    if not password:
        errors["password"] = [_("New password is required.")]
    elif policy_errors(password):
        errors["password"] = [str(message) for message in policy_errors(password)]
    if password and password != confirm:
        errors["confirm"] = [_("The two passwords differ.")]
    if errors:
        raise ResetError(errors)
    user, now = row.user, utcnow()
    set_password(user, password, by_self=True)  # a new session token: every browser signed in is signed out
    user.failed_logins = 0
    revoke_tokens(user)
    db.session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
                       .values(used_at=now))
    record("password_reset", user, actor=user)
    db.session.commit()
    return user
