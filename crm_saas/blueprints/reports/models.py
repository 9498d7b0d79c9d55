"""Sales targets (业绩目标) and report subscriptions, in the tenant schema."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_saas.core.base import TENANT_SCHEMA, TenantTable, tenant_args, utcnow
from crm_saas.extensions import db

USERS_ID = f"{TENANT_SCHEMA}.users.id"
METRICS = ("won_amount", "new_customers", "follow_ups")


class Target(TenantTable, db.Model):
    """One goal: a person's or a team's (a leader and everyone below them), for a month or a quarter.

    ``period`` is ``YYYY-MM`` or ``YYYY-Qn``. A team without a target of its
    own is measured against the sum of its people's (services/targets.py).
    """

    __tablename__ = "targets"
    __table_args__ = tenant_args(
        CheckConstraint("(user_id IS NULL) <> (team_id IS NULL)", name="one_holder"),
        Index("uq_targets_person", "period", "metric", "user_id", unique=True,
              postgresql_where=text("user_id IS NOT NULL")),
        Index("uq_targets_team", "period", "metric", "team_id", unique=True,
              postgresql_where=text("team_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7))
    user_id: Mapped[int | None] = mapped_column(ForeignKey(USERS_ID, ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey(USERS_ID, ondelete="CASCADE"))
    metric: Mapped[str] = mapped_column(String(20))
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey(USERS_ID))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    team = relationship("User", foreign_keys=[team_id])


class ReportSubscription(TenantTable, db.Model):
    """A manager's standing order for a report by email (the weekly summary of their team)."""

    __tablename__ = "report_subscriptions"
    __table_args__ = tenant_args(Index("uq_report_subscriptions_user_report", "user_id", "report", unique=True))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey(USERS_ID, ondelete="CASCADE"))
    report: Mapped[str] = mapped_column(String(40), default="weekly_summary")
    active: Mapped[bool] = mapped_column(default=True)
    last_sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")
