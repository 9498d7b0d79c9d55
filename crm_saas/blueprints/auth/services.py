"""Logging in, locking out, changing passwords and API tokens."""
import secrets

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from crm_saas.core import credentials
from crm_saas.core.audit import record
from crm_saas.core.base import utcnow
from crm_saas.core.errors import FieldErrors
from crm_saas.core.passwords import hash_password, policy_errors, set_password, verify_password
from crm_saas.core.throttle import mark_failed
from crm_saas.core.users import ApiToken, LoginEvent, User
from crm_saas.extensions import db

# Hashes to compare against when the username does not exist, one per hashing method (made once),
# so a wrong username costs the same time as a wrong password.
_DUMMY_HASHES = {}


def _dummy_hash():
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = hash_password(secrets.token_urlsafe(12))
    return _DUMMY_HASHES[method]


def authenticate(username, password, *, ip=None, user_agent=None, channel="web"):
    """Returns ``(user, None)`` or ``(None, reason)``; every attempt is logged.

    Reasons: ``bad_credentials`` (an unknown name and a wrong password alike,
    in the same time) and ``inactive`` (the right password of a disabled
    account). A wrong password is marked for the throttle (core/throttle.py),
    which refuses further guesses from that address; the account itself is
    never locked, so nobody can keep its owner out. ``failed_logins`` counts
    the failures since the last success, atomically.
    """
    username = (username or "").strip()
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    reason = None
    if user is None:
        verify_password(_dummy_hash(), password)  # an unknown name costs what a known one does
        reason = "bad_credentials"
    elif not verify_password(user.password_hash, password):
        reason = "bad_credentials"
        db.session.execute(update(User).where(User.id == user.id)
                           .values(failed_logins=User.failed_logins + 1))  # atomic: parallel guesses all count
    elif not user.active:
        reason = "inactive"
    else:
        user.failed_logins = 0
        user.last_login_at = utcnow()
    if reason == "bad_credentials":
        mark_failed()
    db.session.add(
        LoginEvent(
            username=username[:64], user_id=user.id if user else None, success=reason is None,
            reason=reason or "ok", channel=channel, ip=ip, user_agent=(user_agent or "")[:300],
        )
    )
    db.session.commit()
    return (user, None) if reason is None else (None, reason)


class PasswordError(FieldErrors):
    """A refused password change: ``old`` or ``new``."""


def change_own_password(user, old, new, *, keep_token=None):
    """The person's own new password (B5, B6), checked against the current one and the policy; commits.

    Every other way in ends: their other browser sessions (the session token
    rotates; the web view re-issues the current one's cookie) and every API
    token but ``keep_token``, the one an API caller changed it with.
    """
    errors = {}
    if not old:
        errors["old"] = [_("Current password is required.")]
    elif not verify_password(user.password_hash, old):
        errors["old"] = [_("The current password is wrong.")]
        mark_failed()  # a stolen session or token must not guess the password without limit
    if not new:
        errors["new"] = [_("New password is required.")]
    elif new == old:
        errors["new"] = [_("The new password must differ from the current one.")]
    elif policy_errors(new):
        errors["new"] = [str(message) for message in policy_errors(new)]
    if errors:
        raise PasswordError(errors)
    set_password(user, new, by_self=True)
    revoke_tokens(user, keep=keep_token)
    db.session.commit()


# What the personal centre (B5) lets everyone change about themselves; the rest is the staff managers'.
PROFILE_FIELDS = ("name", "title", "phone", "email", "region", "locale")


def update_profile(user, data):
    """Save the changed ``PROFILE_FIELDS`` with one log entry naming each change (old, new)."""
    changes = {}
    for key in PROFILE_FIELDS:
        value = (data.get(key) or "").strip() or None
        if getattr(user, key) != value:
            changes[key] = [getattr(user, key), value]
            setattr(user, key, value)
    if changes:
        record("profile_updated", user, actor=user, changes=changes)
    db.session.commit()
    return changes


def revoke_tokens(user, *, keep=None):
    """End every API token of ``user`` but ``keep`` (no commit: it goes with the change that asks for it)."""
    credentials.revoke_tokens(ApiToken, user, keep=keep)


def issue_token(user):
    """A new bearer token; the caller sees it once, the database keeps its hash."""
    return credentials.issue_token(ApiToken, user)


def user_for_token(token):
    return credentials.token_owner(ApiToken, token)


def revoke_token(token):
    return credentials.revoke_token(ApiToken, token)
