"""Follow-ups and tasks (tenant schema).

A follow-up belongs to a customer (and maybe one of its deals) and follows
the customer's visibility; a task belongs to its assignee and follows theirs.
Both go with their customer when it is purged (the cascade), so a purge or
a deal's removal never trips over them.
"""
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, Text, exists, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_saas.blueprints.customers.models import Customer
from crm_saas.core.base import TENANT_SCHEMA, TenantTable, tenant_args, utcnow
from crm_saas.extensions import db

USERS_ID = f"{TENANT_SCHEMA}.users.id"
CUSTOMERS_ID = f"{TENANT_SCHEMA}.customers.id"
DEALS_ID = f"{TENANT_SCHEMA}.deals.id"

# E1: "It should be written within 24 hours": later ones are kept, and marked.
WRITE_WITHIN = timedelta(hours=24)


class Activity(TenantTable, db.Model):
    """One follow-up (E1): what happened with the customer, and what comes next."""

    __tablename__ = "activities"
    __table_args__ = tenant_args(
        Index("ix_activities_customer_id_occurred_at", "customer_id", "occurred_at"),
        Index("ix_activities_deal_id_occurred_at", "deal_id", "occurred_at"),
        # The dashboard and the reports count a period's follow-ups: everyone's, or a subtree's by author.
        Index("ix_activities_occurred_at", "occurred_at"),
        Index("ix_activities_created_by_id_occurred_at", "created_by_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey(CUSTOMERS_ID, ondelete="CASCADE"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey(DEALS_ID, ondelete="SET NULL"))
    type: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime]
    duration_minutes: Mapped[int | None]
    participants: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    feedback: Mapped[str | None] = mapped_column(Text)
    offer: Mapped[str | None] = mapped_column(Text)
    next_action: Mapped[str | None] = mapped_column(Text)
    next_follow_up_at: Mapped[datetime | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey(USERS_ID))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # I1: the import batch that brought it in (None for follow-ups written by hand).
    import_id: Mapped[int | None]

    customer = relationship("Customer")
    deal = relationship("Deal")
    created_by = relationship("User")

    @property
    def written_late(self):
        """Recorded more than 24 hours after it happened (E1 asks for less): shown, never refused."""
        return self.created_at is not None and self.created_at - self.occurred_at > WRITE_WITHIN


class Task(TenantTable, db.Model):
    """Something to do by a time (E2); a follow-up's next time makes one for the customer's owner."""

    __tablename__ = "tasks"
    __table_args__ = tenant_args(
        # The bell, the agenda and the reminder job all read "this person's open tasks by due time".
        Index("ix_tasks_assignee_id_done_due_at", "assignee_id", "done", "due_at"),
        Index("ix_tasks_activity_id", "activity_id"),
        Index("ix_tasks_customer_id", "customer_id"),
        # The reminder job's scan: open, not yet emailed, by due time.
        Index("ix_tasks_unreminded", "due_at", postgresql_where=text("NOT done AND reminded_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime]
    customer_id: Mapped[int | None] = mapped_column(ForeignKey(CUSTOMERS_ID, ondelete="CASCADE"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey(DEALS_ID, ondelete="CASCADE"))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.activities.id", ondelete="SET NULL"))
    assignee_id: Mapped[int] = mapped_column(ForeignKey(USERS_ID))
    done: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    done_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey(USERS_ID))
    # When the reminder email went out; a moved due time clears it so the new time is reminded too.
    reminded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer = relationship("Customer")
    deal = relationship("Deal")
    activity = relationship("Activity")
    assignee = relationship("User", foreign_keys=[assignee_id])
    created_by = relationship("User", foreign_keys=[created_by_id])

    def overdue(self, now=None):
        return not self.done and self.due_at < (now or utcnow())


def not_binned():
    """Tasks without a customer, or whose customer is not in the recycle bin."""
    return ~exists().where(Customer.id == Task.customer_id, Customer.deleted_at.is_not(None))
