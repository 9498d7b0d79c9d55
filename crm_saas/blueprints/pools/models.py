"""The public pool (C11): pools, who belongs to them, what happened in them, and protection requests.

A customer is owned (``customers.owner_id``) or in exactly one pool
(``customers.pool_id``); the columns that say since when and why live on
the customer (``customers/models.py``). Here are the pools themselves, with
their rules and limits, their members, an event log that the limits count
(claims today, the previous owner's wait) and the protection extensions an
owner asks a superior for.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_saas.core.base import TENANT_SCHEMA, TenantTable, tenant_args, utcnow
from crm_saas.extensions import db

USERS_ID = f"{TENANT_SCHEMA}.users.id"
CUSTOMERS_ID = f"{TENANT_SCHEMA}.customers.id"
POOLS_ID = f"{TENANT_SCHEMA}.pools.id"


class Pool(TenantTable, db.Model):
    """One pool: its rules (``rules``, see services/rules.py), its limits, its admin.

    The default pool (one per company) takes everyone as a member and
    receives the customers of people no other pool lists.
    """

    __tablename__ = "pools"
    __table_args__ = tenant_args(
        Index("ix_pools_one_default", "is_default", unique=True, postgresql_where=text("is_default")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    is_default: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    admin_id: Mapped[int | None] = mapped_column(ForeignKey(USERS_ID))
    rules: Mapped[dict] = mapped_column(JSONB, default=dict, server_default=text("'{}'::jsonb"))
    # None: no limit.
    claim_per_day: Mapped[int | None]
    max_owned: Mapped[int | None]
    reclaim_wait_days: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    admin = relationship("User", foreign_keys=[admin_id])
    members = relationship("PoolMember", back_populates="pool", cascade="all, delete-orphan",
                           order_by="PoolMember.id")


class PoolMember(TenantTable, db.Model):
    """A person in a pool; with ``subtree``, everyone below them at any depth too (as the tree stands)."""

    __tablename__ = "pool_members"
    __table_args__ = tenant_args(
        UniqueConstraint("pool_id", "user_id"),
        Index("ix_pool_members_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey(POOLS_ID, ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey(USERS_ID))
    subtree: Mapped[bool] = mapped_column(default=False, server_default=text("false"))

    pool = relationship("Pool", back_populates="members")
    user = relationship("User")


class PoolEvent(TenantTable, db.Model):
    """A customer entering or leaving a pool, or its owner warned: what the limits and the reports count.

    ``kind``: claim, assign, release, recycle, warn, import. ``user_id`` is
    the person it concerns (who claimed or received it, whose it was, who
    was warned); ``actor_id`` who acted (None for the scheduled job).
    """

    __tablename__ = "pool_events"
    __table_args__ = tenant_args(
        Index("ix_pool_events_user_id_kind_at", "user_id", "kind", "at"),
        Index("ix_pool_events_customer_id_kind_at", "customer_id", "kind", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey(POOLS_ID, ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey(CUSTOMERS_ID, ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey(USERS_ID))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey(USERS_ID))
    rule: Mapped[str | None] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ProtectionRequest(TenantTable, db.Model):
    """An owner asking for more days before the pool's rules may take a customer back; a superior decides."""

    __tablename__ = "protection_requests"
    __table_args__ = tenant_args(
        Index("ix_protection_requests_customer_id", "customer_id"),
        Index("ix_protection_requests_pending", "created_at", postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey(CUSTOMERS_ID, ondelete="CASCADE"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey(USERS_ID))
    days: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending", server_default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey(USERS_ID))
    decided_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer = relationship("Customer")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
