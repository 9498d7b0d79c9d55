"""Bearer tokens and browser sessions, for either kind of account: a company's staff (``core.users``: ``User``,
``ApiToken``, ``LoginSession``) or the platform's (``tenants.models``: ``PlatformUser``, ``PlatformToken``,
``PlatformSession``).

The two kinds live in different tables, so neither's credentials mean
anything where the other's are looked up; the rules are the same and written
once here: only a secret's SHA-256 is stored, a token ends by its date or by
revocation, a session by logging out, and the account's ``session_token``
(rotated on a password change or a departure) ends every session at once.
"""
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from crm_saas.core.base import utcnow
from crm_saas.core.users import secret_digest
from crm_saas.extensions import db


def issue_token(model, user):
    """A new bearer token in ``model``'s table: ``(token, expires_at)``; the caller sees it once. Commits."""
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(hours=current_app.config["CRM_API_TOKEN_HOURS"])
    db.session.add(model(user_id=user.id, token_hash=secret_digest(token), expires_at=expires_at))
    db.session.commit()
    return token, expires_at


def token_owner(model, token):
    """The active owner of a live token of ``model``'s table, or None."""
    row = db.session.scalar(select(model).where(model.token_hash == secret_digest(token or "")))
    if row is None or row.revoked_at or row.expires_at <= utcnow() or not row.user.active:
        return None
    return row.user


def revoke_token(model, token):
    """End one token; returns whether it was known. Commits."""
    row = db.session.scalar(select(model).where(model.token_hash == secret_digest(token or "")))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.commit()
    return row is not None


def revoke_tokens(model, user, *, keep=None):
    """End every token of ``user`` but ``keep`` (no commit: it goes with the change that asks for it)."""
    stmt = update(model).where(model.user_id == user.id, model.revoked_at.is_(None))
    if keep:
        stmt = stmt.where(model.token_hash != secret_digest(keep))
    db.session.execute(stmt.values(revoked_at=utcnow()))


def start_session(model, user, *, ip=None, user_agent=None):
    """A new browser session row (call before ``login_user``, which writes ``user.login_key`` into the cookie)."""
    user.login_key = secrets.token_urlsafe(24)
    db.session.add(model(user_id=user.id, key_hash=secret_digest(user.login_key), ip=ip,
                         user_agent=(user_agent or "")[:300]))
    db.session.commit()


def end_session(model, user):
    """End the session ``user`` came in with (logout): its cookie, and every copy of it, stops working."""
    if user.login_key:
        db.session.execute(update(model).where(
            model.user_id == user.id, model.key_hash == secret_digest(user.login_key),
        ).values(ended_at=utcnow()))
        db.session.commit()


def session_owner(user_model, session_model, user_id, token, key):
    """The active account ``user_id`` with the current ``session_token`` in a live session ``key``, or None.

    One statement: the person and their session, joined.
    """
    if not user_id.isdigit():
        return None
    user = db.session.scalar(
        select(user_model).join(session_model, session_model.user_id == user_model.id)
        .where(user_model.id == int(user_id), session_model.key_hash == secret_digest(key),
               session_model.ended_at.is_(None))
    )
    if user is None or not user.active or user.session_token != token:
        return None
    user.login_key = key
    return user
