"""Public-schema tables: the companies, the hosts that reach them, and the platform that sells them.

The platform's people (operators and agency staff) are ``PlatformUser`` rows
here, never in a company's schema: their cookies and tokens are looked up
in these tables only on the platform host, and a company's only there.
"""
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_saas.core.base import PUBLIC_SCHEMA, utcnow
from crm_saas.extensions import db

PUBLIC = {"schema": PUBLIC_SCHEMA}
STATUSES = ("pending", "trial", "active", "expired", "suspended", "rejected")


def _fk(table, ondelete=None):
    return ForeignKey(f"{PUBLIC_SCHEMA}.{table}.id", ondelete=ondelete)


class Tenant(db.Model):
    __tablename__ = "tenants"
    # The operator's list filters by status and sorts by end date; an agency's reads by agency or rep.
    __table_args__ = (
        Index("ix_tenants_status_expires_at", "status", "expires_at"),
        Index("ix_tenants_expires_at", "expires_at"),
        Index("ix_tenants_agency_id_expires_at", "agency_id", "expires_at"),
        Index("ix_tenants_rep_id_expires_at", "rep_id", "expires_at"),
        PUBLIC,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    schema_name: Mapped[str] = mapped_column(String(63), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="trial")  # one of STATUSES
    expires_at: Mapped[datetime | None]  # the trial's or the subscription's end (API: ends_at)
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    rep_code: Mapped[str | None] = mapped_column(String(6))
    # Version of the tenant migration track this schema is at; lets
    # ``db upgrade`` skip up-to-date tenants without opening their schema.
    schema_version: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime | None]
    agency_id: Mapped[int | None] = mapped_column(_fk("agencies"))
    rep_id: Mapped[int | None] = mapped_column(_fk("platform_users"))
    paid: Mapped[bool] = mapped_column(default=False)  # a subscription, not a trial: "active" rather than "trial"
    status_reason: Mapped[str | None] = mapped_column(Text)  # why it was rejected or suspended
    approved_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    warned_days: Mapped[int | None]  # the last "ends in N days" email sent for the current end date
    category: Mapped[str | None] = mapped_column(String(50))  # the agency rep's classification (客户分类)
    binned_at: Mapped[datetime | None]  # in the agency rep's recycle bin (their list only; the company goes on)
    user_count: Mapped[int] = mapped_column(default=0)
    customer_count: Mapped[int] = mapped_column(default=0)
    storage_bytes: Mapped[int] = mapped_column(default=0)
    counted_at: Mapped[datetime | None]

    domains = relationship("TenantDomain", back_populates="tenant", cascade="all, delete-orphan")
    agency = relationship("Agency")
    rep = relationship("PlatformUser")

    @property
    def is_open(self):
        """Whether its users may work: trial and active companies before their end date."""
        return self.effective_status() in ("trial", "active")

    def effective_status(self, now=None):
        """The status as users meet it: an open company past its end date is expired before the hourly job
        marks it (each request checks the row it already read; nothing more is asked)."""
        if self.status in ("trial", "active") and self.expires_at is not None and self.expires_at <= (now or utcnow()):
            return "expired"
        return self.status


class TenantDomain(db.Model):
    __tablename__ = "tenant_domains"
    __table_args__ = PUBLIC

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(_fk("tenants", "CASCADE"))
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    is_primary: Mapped[bool] = mapped_column(default=True)

    tenant = relationship("Tenant", back_populates="domains")


class Agency(db.Model):
    """An agency selling crm_saas (A3). ``prefix`` (two letters of region, two digits) starts its reps' codes."""

    __tablename__ = "agencies"
    __table_args__ = PUBLIC

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(4), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default="active")  # active, suspended
    bonus_trial_days: Mapped[int] = mapped_column(default=0)  # 赠送: added to the trial of its codes' sign-ups
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlatformUser(UserMixin, db.Model):
    """An operator (role ``operator``, no agency) or an agency's staff (``admin``/``supervisor``/``rep``).

    Agency staff form a tree by ``superior_id`` exactly as a company's staff
    do, and the same walk (``core.visibility.subtree_ids``) decides whose
    companies they see.
    """

    __tablename__ = "platform_users"
    __table_args__ = (
        Index("uq_platform_users_username", func.lower("username"), unique=True),  # the migration's; for reading
        Index("ix_platform_users_superior_id", "superior_id"),
        Index("ix_platform_users_agency_id", "agency_id"),
        PUBLIC,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(256))
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # operator, admin, supervisor, rep
    agency_id: Mapped[int | None] = mapped_column(_fk("agencies"))
    code: Mapped[str | None] = mapped_column(String(6), unique=True)  # agency prefix + 01-99
    superior_id: Mapped[int | None] = mapped_column(_fk("platform_users"))
    active: Mapped[bool] = mapped_column(default=True)
    deactivated_at: Mapped[datetime | None]
    decides_extensions: Mapped[bool] = mapped_column(default=False)  # an agency supervisor the operator allowed
    totp_secret: Mapped[str | None] = mapped_column(String(300))  # encrypted (core/crypto.py)
    totp_confirmed: Mapped[bool] = mapped_column(default=False)
    totp_last_step: Mapped[int | None]  # the last code's time step: the same code is never taken twice
    must_change_password: Mapped[bool] = mapped_column(default=False)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    session_token: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_urlsafe(16))
    last_login_at: Mapped[datetime | None]
    locale: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency = relationship("Agency")
    superior = relationship("PlatformUser", remote_side=[id])
    is_platform = True  # templates and shared hooks tell the two kinds of account apart by it
    login_key = None  # the browser session this object serves (set at login and by the cookie loader)

    def get_id(self):
        """The cookie's id: ``p`` (never a company's id), person, session token and this session's key."""
        return f"p:{self.id}:{self.session_token}:{self.login_key}"

    @property
    def is_active(self):
        return self.active

    @property
    def is_operator(self):
        return self.role == "operator"


class PlatformSession(db.Model):
    """One signed-in browser of a platform account (only the key's hash is kept), as ``LoginSession`` is for staff."""

    __tablename__ = "platform_sessions"
    __table_args__ = PUBLIC

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(_fk("platform_users", "CASCADE"))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))


class PlatformToken(db.Model):
    """A platform API bearer token (hash only); unknown on every company host."""

    __tablename__ = "platform_tokens"
    __table_args__ = PUBLIC

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(_fk("platform_users", "CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    user = relationship("PlatformUser")


class PlatformLoginEvent(db.Model):
    __tablename__ = "platform_login_events"
    __table_args__ = PUBLIC

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(_fk("platform_users", "SET NULL"))
    success: Mapped[bool]
    reason: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(8), default="web")
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class PlatformSetting(db.Model):
    __tablename__ = "platform_settings"
    __table_args__ = PUBLIC

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict] = mapped_column(JSONB)


class PlatformLog(db.Model):
    """The platform's operation log: who changed what about a company, agency or account, before and after."""

    __tablename__ = "platform_log"
    __table_args__ = PUBLIC

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(_fk("platform_users", "SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int | None]
    target_label: Mapped[str] = mapped_column(String(200))
    tenant_id: Mapped[int | None] = mapped_column(_fk("tenants", "SET NULL"))
    before: Mapped[dict] = mapped_column(JSONB, default=dict)
    after: Mapped[dict] = mapped_column(JSONB, default=dict)
    reason: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(64))


class ExtensionRequest(db.Model):
    """客户延期: an agency rep asks for more days for one of their companies; an operator decides."""

    __tablename__ = "extension_requests"
    __table_args__ = PUBLIC

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(_fk("tenants", "CASCADE"))
    days: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending, approved, rejected
    requested_by: Mapped[int | None] = mapped_column(_fk("platform_users", "SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(_fk("platform_users", "SET NULL"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)

    tenant = relationship("Tenant")
    requester = relationship("PlatformUser", foreign_keys=[requested_by])
    decider = relationship("PlatformUser", foreign_keys=[decided_by])


class AgencyContact(db.Model):
    """添加联系记录: an agency rep's note of a contact with one of their companies."""

    __tablename__ = "agency_contacts"
    __table_args__ = PUBLIC

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(_fk("tenants", "CASCADE"))
    occurred_at: Mapped[datetime]
    way: Mapped[str] = mapped_column(String(20))  # phone, visit, wechat, email, other
    summary: Mapped[str] = mapped_column(Text)
    next_contact_at: Mapped[datetime | None]
    created_by: Mapped[int | None] = mapped_column(_fk("platform_users", "SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("PlatformUser")


class TenantPresence(db.Model):
    """When each company user was last seen (written at most every 5 minutes): who is online, for the platform."""

    __tablename__ = "tenant_presence"
    __table_args__ = PUBLIC

    tenant_id: Mapped[int] = mapped_column(_fk("tenants", "CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100))
    seen_at: Mapped[datetime]
