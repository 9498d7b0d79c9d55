"""Platform accounts: signing in (with TOTP for operators), locking out, sessions and API tokens.

They mirror a company's staff accounts (blueprints/auth) in the public
schema. A cookie names ``p:`` and a token is looked up in
``platform_tokens``: neither is anything on a company host, and a company's
cookie or token is nothing here (``load_cookie`` is only asked on the
platform host; a company's loader only on its own).

Operators sign in with a password and a TOTP code (pyotp). A code is taken
once: its time step is stored, and a code of that step or an older one is
refused, so a code seen over a shoulder cannot be replayed. Five wrong
passwords or codes in a row lock the account for fifteen minutes; every
attempt goes to the platform login log.
"""
import secrets
from datetime import timedelta

import pyotp
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from crm_saas.core import credentials, crypto
from crm_saas.core.base import utcnow
from crm_saas.core.errors import FieldErrors
from crm_saas.core.passwords import hash_password, policy_errors, set_password, verify_password
from crm_saas.core.throttle import mark_failed
from crm_saas.extensions import db
from crm_saas.tenants.models import PlatformLoginEvent, PlatformSession, PlatformToken, PlatformUser

LOCK_AFTER = 5
LOCK_MINUTES = 15
ISSUER = "Huike CRM"
_DUMMY = {}


def _dummy_hash():
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY:
        _DUMMY[method] = hash_password(secrets.token_urlsafe(12))
    return _DUMMY[method]


def find_account(username):
    username = (username or "").strip()
    return db.session.scalar(select(PlatformUser).where(func.lower(PlatformUser.username) == username.lower()))


def check_password(username, password):
    """``(user, None)`` when the password is right, else ``(user or None, reason)``; nothing is logged or counted.

    Reasons: ``bad_credentials``, ``locked``, ``inactive``. An unknown name
    costs the time of a known one.
    """
    user = find_account(username)
    if user is None:
        verify_password(_dummy_hash(), password)
        return None, "bad_credentials"
    if user.locked_until and user.locked_until > utcnow():
        return user, "locked"
    if not verify_password(user.password_hash, password):
        return user, "bad_credentials"
    if not user.active:
        return user, "inactive"
    return user, None


def record_attempt(username, user, reason, *, channel="web", ip=None, user_agent=None):
    """Log one attempt and keep the lockout count; a success clears it. Commits."""
    if reason in ("bad_credentials", "bad_otp") and user is not None:
        failures = db.session.scalar(update(PlatformUser).where(PlatformUser.id == user.id)
                                     .values(failed_logins=PlatformUser.failed_logins + 1)
                                     .returning(PlatformUser.failed_logins))
        if failures >= LOCK_AFTER:
            db.session.execute(update(PlatformUser).where(PlatformUser.id == user.id).values(
                locked_until=utcnow() + timedelta(minutes=LOCK_MINUTES), failed_logins=0))
    if reason in ("bad_credentials", "bad_otp"):
        mark_failed()
    if reason is None:
        user.failed_logins, user.locked_until, user.last_login_at = 0, None, utcnow()
    db.session.add(PlatformLoginEvent(
        username=(username or "")[:64], user_id=user.id if user else None, success=reason is None,
        reason=reason or "ok", channel=channel, ip=ip, user_agent=(user_agent or "")[:300],
    ))
    db.session.commit()
    if user is not None:
        db.session.refresh(user)


def authenticate(username, password, otp=None, *, channel="web", ip=None, user_agent=None):
    """One step sign-in (the API, and the web's second step): password, then the code for operators.

    Returns ``(user, None)`` or ``(None, reason)``: ``bad_credentials``,
    ``locked``, ``inactive``, ``otp_required`` (an operator gave none),
    ``otp_not_enrolled`` (an operator who never finished enrolment, which
    only the web page does), ``bad_otp``.
    """
    user, reason = check_password(username, password)
    if reason is None and user.is_operator:
        if not user.totp_confirmed:
            reason = "otp_not_enrolled"
        elif not (otp or "").strip():
            reason = "otp_required"
        elif not take_code(user, otp):
            reason = "bad_otp"
    record_attempt(username, user, reason, channel=channel, ip=ip, user_agent=user_agent)
    return (user, None) if reason is None else (None, reason)


# -- TOTP ------------------------------------------------------------------------------------------------------

def new_totp_secret(user):
    """A fresh secret (stored encrypted, not yet confirmed); returns the otpauth:// URI for the QR code."""
    secret = pyotp.random_base32()
    user.totp_secret, user.totp_confirmed, user.totp_last_step = crypto.encrypt(secret), False, None
    return provisioning_uri(user)


def provisioning_uri(user):
    return pyotp.TOTP(crypto.decrypt(user.totp_secret)).provisioning_uri(name=user.username, issuer_name=ISSUER)


def totp_secret(user):
    return crypto.decrypt(user.totp_secret or "")


def take_code(user, code):
    """Whether ``code`` is the current (or the neighbouring) code and newer than the last one taken; takes it.

    The step is claimed in one UPDATE, so two requests with the same code
    cannot both pass.
    """
    secret = totp_secret(user)
    code = (code or "").strip().replace(" ", "")
    if not secret or not code.isdigit():
        return False
    totp, now = pyotp.TOTP(secret), utcnow()
    step = totp.timecode(now)
    for candidate in (step, step - 1, step + 1):
        if secrets.compare_digest(totp.generate_otp(candidate), code):
            taken = db.session.scalar(
                update(PlatformUser).where(PlatformUser.id == user.id, (PlatformUser.totp_last_step.is_(None))
                                           | (PlatformUser.totp_last_step < candidate))
                .values(totp_last_step=candidate).returning(PlatformUser.id))
            return taken is not None
    return False


def confirm_totp(user, code):
    """Finish enrolment with a first good code; commits. Returns whether it was good."""
    if take_code(user, code):
        user.totp_confirmed = True
        db.session.commit()
        return True
    db.session.rollback()
    return False


# -- sessions and tokens ---------------------------------------------------------------------------------------

def load_cookie(cookie_id):
    """The platform account of a ``p:`` cookie with a live session and the current session token, else None."""
    try:
        prefix, user_id, token, key = cookie_id.split(":", 3)
    except ValueError:
        return None
    if prefix != "p":
        return None
    return credentials.session_owner(PlatformUser, PlatformSession, user_id, token, key)


def start_session(user, *, ip=None, user_agent=None):
    credentials.start_session(PlatformSession, user, ip=ip, user_agent=user_agent)


def end_session(user):
    credentials.end_session(PlatformSession, user)


def issue_token(user):
    return credentials.issue_token(PlatformToken, user)


def user_for_token(token):
    return credentials.token_owner(PlatformToken, token)


def revoke_token(token):
    return credentials.revoke_token(PlatformToken, token)


def revoke_tokens(user):
    """End every API token of ``user`` (no commit: it goes with the change that asks for it)."""
    credentials.revoke_tokens(PlatformToken, user)


def create_operator(username, name, password, *, email=None):
    """An operator account with a fresh TOTP secret; returns ``(user, otpauth URI)``. Commits.

    The password is the creator's choice for them, so it must be changed at first sign-in.
    """
    user = PlatformUser(username=username.strip(), name=name.strip(), role="operator", email=email,
                        password_hash=hash_password(password), must_change_password=True)
    uri = new_totp_secret(user)
    db.session.add(user)
    db.session.commit()
    return user, uri


def change_own_password(user, old, new):
    """A platform account's own new password: the current one, then the policy (B6). Ends other sessions
    (the session token rotates) and every API token; commits. Raises ``FieldErrors`` naming ``old``/``new``."""
    errors = {}
    if not old:
        errors["old"] = [_("Current password is required.")]
    elif not verify_password(user.password_hash, old):
        errors["old"] = [_("The current password is wrong.")]
        mark_failed()
    if not new:
        errors["new"] = [_("New password is required.")]
    elif new == old:
        errors["new"] = [_("The new password must differ from the current one.")]
    elif policy_errors(new):
        errors["new"] = [str(message) for message in policy_errors(new)]
    if errors:
        raise FieldErrors(errors)
    set_password(user, new, by_self=True)
    revoke_tokens(user)
    db.session.commit()
