"""Campaigns (G1), their target members, and saved customer filters: segments (tenant schema)."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_saas.core.base import TENANT_SCHEMA, TenantTable, tenant_args, utcnow
from crm_saas.extensions import db

USERS_ID = f"{TENANT_SCHEMA}.users.id"


class Campaign(TenantTable, db.Model):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(20))  # online / exhibition / email / sms / wechat / offline / other
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    budget: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    cost: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    status: Mapped[str] = mapped_column(String(20), default="planned")  # planned / active / finished / cancelled
    owner_id: Mapped[int] = mapped_column(ForeignKey(USERS_ID))
    description: Mapped[str | None] = mapped_column(Text)
    # The segment its members were last synced from, if any.
    segment_id: Mapped[int | None] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.segments.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey(USERS_ID))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    owner = relationship("User", foreign_keys=[owner_id])


class CampaignMember(TenantTable, db.Model):
    """A customer the campaign targets, and how they answered."""

    __tablename__ = "campaign_members"
    __table_args__ = tenant_args(
        UniqueConstraint("campaign_id", "customer_id", name="uq_campaign_members_campaign_id_customer_id"),
        Index("ix_campaign_members_customer_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.campaigns.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.customers.id", ondelete="CASCADE"))
    # invited / sent / opened / responded / registered / attended / converted / declined
    status: Mapped[str] = mapped_column(String(20), default="invited")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey(USERS_ID))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    responded_at: Mapped[datetime | None]

    customer = relationship("Customer")


class Segment(TenantTable, db.Model):
    """A saved customer-list filter: the same query string the list reads (``filters``), plus company size."""

    __tablename__ = "segments"
    __table_args__ = tenant_args(Index("ix_segments_owner_id", "owner_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    filters: Mapped[dict] = mapped_column(JSONB, default=dict, server_default=text("'{}'::jsonb"))
    # Private to its owner, or shared with the owner's team (the owner's superior and everyone under them).
    shared: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    # Ready-made segments (沉睡客户) are computed from a rule, not a filter: ``builtin`` names the rule.
    builtin: Mapped[str | None] = mapped_column(String(30))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey(USERS_ID))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    owner = relationship("User")
