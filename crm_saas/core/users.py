"""Staff accounts, their login history and their API tokens (tenant schema)."""
import hashlib
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_saas.core.base import TENANT_SCHEMA, TenantTable, tenant_args, utcnow
from crm_saas.extensions import db
from crm_saas.tenants.resolve import current_tenant


def new_session_token():
    return secrets.token_urlsafe(16)


def secret_digest(secret):
    """What is stored of a secret handed out (a session key, an API token, a reset link's token): its SHA-256,
    so a leaked table signs nobody in."""
    return hashlib.sha256(secret.encode()).hexdigest()


class User(TenantTable, UserMixin, db.Model):
    __tablename__ = "users"
    # The visibility rule walks the tree downwards from a person: superior_id is its edge.
    __table_args__ = tenant_args(Index("ix_users_superior_id", "superior_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    name: Mapped[str] = mapped_column(String(100))
    code: Mapped[str | None] = mapped_column(String(32), unique=True)
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20), default="rep")
    superior_id: Mapped[int | None] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.users.id"))
    active: Mapped[bool] = mapped_column(default=True)
    deactivated_at: Mapped[datetime | None]
    locale: Mapped[str | None] = mapped_column(String(10))
    # Per-person choices that follow them across devices, e.g. the customer list's columns.
    preferences: Mapped[dict] = mapped_column(JSONB, default=dict, server_default=text("'{}'::jsonb"))
    must_change_password: Mapped[bool] = mapped_column(default=False)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    # Rotated on password change or deactivation: every cookie carries it, so
    # rotating it ends all sessions of this person at once.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    superior = relationship("User", remote_side=[id])
    # The key of the browser session this object serves (set at login and by the cookie loader), never stored.
    login_key = None

    def get_id(self):
        """The cookie's id: tenant, person, their session token (ends every session) and this session's key."""
        return f"{current_tenant().id}:{self.id}:{self.session_token}:{self.login_key}"

    @property
    def is_active(self):
        return self.active


class LoginEvent(TenantTable, db.Model):
    """Every login attempt, good or bad (B6, J1)."""

    __tablename__ = "login_events"
    __table_args__ = tenant_args(Index("ix_login_events_at", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.users.id"))
    success: Mapped[bool]
    reason: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(8), default="web")
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginSession(TenantTable, db.Model):
    """One signed-in browser (B6): logging out ends it here, so a cookie copied before then dies with it.

    Only a hash of the key in the cookie is kept. ``users.session_token``
    still ends every session of a person at once (a password change, a
    departure); this row ends one.
    """

    __tablename__ = "login_sessions"
    __table_args__ = tenant_args(Index("ix_login_sessions_user_id", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.users.id", ondelete="CASCADE"))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))


class ApiToken(TenantTable, db.Model):
    """A bearer token; only its SHA-256 is stored, so a database leak leaks no token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.users.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    user = relationship("User")


class PasswordReset(TenantTable, db.Model):
    """An emailed "forgot password" link (B6): works once, for ``CRM_PASSWORD_RESET_MINUTES``.

    Only the SHA-256 of the link's token is kept, as for API tokens: a
    database leak leaks no working link.
    """

    __tablename__ = "password_resets"
    __table_args__ = tenant_args(Index("ix_password_resets_user_id", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(64))

    user = relationship("User")
