"""Pipelines, their stages, deals and the history of every stage change (tenant schema)."""
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_saas.core.base import TENANT_SCHEMA, TenantTable, tenant_args, utcnow
from crm_saas.extensions import db


class Pipeline(TenantTable, db.Model):
    __tablename__ = "pipelines"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)
    is_default: Mapped[bool] = mapped_column(default=False)

    # The stages in use; a retired stage (``removed_at``) stays in its table for the history that points at it.
    stages = relationship("Stage", back_populates="pipeline", order_by="Stage.position",
                          primaryjoin="and_(Pipeline.id == Stage.pipeline_id, Stage.removed_at.is_(None))")


class Stage(TenantTable, db.Model):
    __tablename__ = "stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    pipeline_id: Mapped[int] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.pipelines.id"))
    name: Mapped[str] = mapped_column(String(100))
    # Default stages carry a code so the UI can show them in the reader's
    # language; stages an admin adds have only their own name.
    code: Mapped[str | None] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(10), default="open")  # open, won or lost
    probability: Mapped[int] = mapped_column(default=0)
    removed_at: Mapped[datetime | None]

    pipeline = relationship("Pipeline", back_populates="stages")


class Deal(TenantTable, db.Model):
    __tablename__ = "deals"
    __table_args__ = tenant_args(
        Index("ix_deals_stage_position", "stage_id", "position", "id"),
        Index("ix_deals_owner_id", "owner_id"),
        Index("ix_deals_customer_id", "customer_id"),
        Index("ix_deals_external_ref", "external_ref", postgresql_where=text("external_ref IS NOT NULL")),
        Index("ix_deals_campaign_id", "campaign_id", postgresql_where=text("campaign_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    customer_id: Mapped[int] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.customers.id"))
    pipeline_id: Mapped[int] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.pipelines.id"))
    stage_id: Mapped[int] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.stages.id"))
    # Order inside a column; gaps let a move renumber only the moved card.
    position: Mapped[float] = mapped_column(default=0, server_default=text("0"))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=0)
    expected_close: Mapped[date | None]
    owner_id: Mapped[int] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.users.id"))
    probability: Mapped[int | None]
    lost_reason: Mapped[str | None] = mapped_column(Text)
    # D1: free product lines [{"name", "quantity", "price"}] and the key actions agreed.
    products: Mapped[list] = mapped_column(JSONB, default=list, server_default=text("'[]'::jsonb"))
    key_actions: Mapped[str | None] = mapped_column(Text)
    custom: Mapped[dict] = mapped_column(JSONB, default=dict, server_default=text("'{}'::jsonb"))
    # Bumped by every change, so a move or an edit made from a stale copy is refused, never silently applied.
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    # The last follow-up on this deal (E1): a deal without one for the company's rotting days stands out.
    last_activity_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.users.id"))
    stage_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Set when its customer went to the recycle bin; cleared when the customer is restored.
    deleted_at: Mapped[datetime | None]
    # I1: the id the deal had in the file it was imported from (seed 002's 机会ID), and the import batch.
    external_ref: Mapped[str | None] = mapped_column(String(100))
    import_id: Mapped[int | None]
    # G1: the campaign the deal came from (set on entry, by import or in bulk; a new deal takes its customer's).
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.campaigns.id", ondelete="SET NULL"))

    customer = relationship("Customer")
    stage = relationship("Stage")
    owner = relationship("User", foreign_keys=[owner_id])
    created_by = relationship("User", foreign_keys=[created_by_id])


class DealStageChange(TenantTable, db.Model):
    """One row per stage change (D5): the raw material of cycle and conversion figures."""

    __tablename__ = "deal_stage_changes"
    __table_args__ = tenant_args(
        Index("ix_deal_stage_changes_deal_id", "deal_id"),
        # The funnel, the dashboard and the targets read a period's moves.
        Index("ix_deal_stage_changes_moved_at", "moved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.deals.id", ondelete="CASCADE"))
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.stages.id"))
    to_stage_id: Mapped[int] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.stages.id"))
    moved_by_id: Mapped[int | None] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.users.id"))
    lost_reason: Mapped[str | None] = mapped_column(Text)
    moved_at: Mapped[datetime] = mapped_column(default=utcnow)


class DealChange(TenantTable, db.Model):
    """One changed field of a deal (who, when, old, new, why), as ``CustomerChange`` is for customers.

    Stage moves are in ``DealStageChange`` (D5), which reports read; this is every other field.
    """

    __tablename__ = "deal_changes"
    __table_args__ = tenant_args(Index("ix_deal_changes_deal_id_at", "deal_id", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.deals.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.users.id"))
    actor_name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(30))
    field: Mapped[str | None] = mapped_column(String(80))
    label: Mapped[str | None] = mapped_column(String(100))
    old: Mapped[Any] = mapped_column(JSONB, nullable=True)
    new: Mapped[Any] = mapped_column(JSONB, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text)
