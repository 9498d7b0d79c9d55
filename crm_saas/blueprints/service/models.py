"""Service requests and complaints (F1), and the timeline of each (tenant schema)."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_saas.core.base import TENANT_SCHEMA, TenantTable, tenant_args, utcnow
from crm_saas.extensions import db

USERS_ID = f"{TENANT_SCHEMA}.users.id"


class ServiceRequest(TenantTable, db.Model):
    __tablename__ = "service_requests"
    __table_args__ = tenant_args(
        Index("ix_service_requests_customer_id", "customer_id"),
        Index("ix_service_requests_assignee_id_status", "assignee_id", "status"),
        Index("ix_service_requests_created_at", "created_at"),
        Index("ix_service_requests_open_due", "due_at",
              postgresql_where=text("status IN ('new', 'in_progress', 'waiting_customer')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    type: Mapped[str] = mapped_column(String(20))  # inquiry / complaint / after_sales / suggestion
    priority: Mapped[str] = mapped_column(String(10), default="normal")  # low / normal / high / urgent
    channel: Mapped[str | None] = mapped_column(String(20))  # phone / email / wechat / web / visit / other
    subject: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    customer_id: Mapped[int] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.customers.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.contacts.id", ondelete="SET NULL"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.deals.id", ondelete="SET NULL"))
    # new -> in_progress -> waiting_customer -> resolved -> closed, and back to in_progress on reopen.
    status: Mapped[str] = mapped_column(String(20), default="new")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey(USERS_ID))
    # A first response is due by ``response_due_at``, the resolution by ``due_at`` (company setting per priority).
    response_due_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[int | None] = mapped_column(SmallInteger)
    # When the assignee was last reminded that the request is overdue (the reminder job sends one per due time).
    overdue_reminded_at: Mapped[datetime | None]
    reopened: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey(USERS_ID))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    customer = relationship("Customer")
    contact = relationship("Contact")
    deal = relationship("Deal")
    assignee = relationship("User", foreign_keys=[assignee_id])
    created_by = relationship("User", foreign_keys=[created_by_id])


class ServiceEvent(TenantTable, db.Model):
    """One line of a request's timeline: created, a status change, an assignment, a note, a field change."""

    __tablename__ = "service_events"
    __table_args__ = tenant_args(Index("ix_service_events_request_id_at", "request_id", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.service_requests.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # created / status / assigned / note / changed
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    body: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSONB, default=dict, server_default=text("'{}'::jsonb"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey(USERS_ID))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    actor = relationship("User")
