"""Webhook endpoints an admin registers, and one delivery row per event and endpoint (tenant schema)."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_saas.core.base import TENANT_SCHEMA, TenantTable, tenant_args, utcnow
from crm_saas.extensions import db


class WebhookEndpoint(TenantTable, db.Model):
    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(String(200))
    # Encrypted at rest (core/crypto.py); shown once, when it is made.
    secret: Mapped[str] = mapped_column(Text)
    events: Mapped[list] = mapped_column(JSONB, default=list)
    active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    # Failed attempts in a row; a success resets it, too many disable the endpoint.
    failures: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class WebhookDelivery(TenantTable, db.Model):
    """One event for one endpoint, tried until it is delivered or given up; the log the admin reads."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = tenant_args(
        UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_deliveries_endpoint_id_event_id"),
        Index("ix_webhook_deliveries_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
        Index("ix_webhook_deliveries_endpoint_id_id", "endpoint_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.webhook_endpoints.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.outbox_events.id", ondelete="CASCADE"))
    # Copied from the event, so "the earlier events of this record" is one index away.
    record_key: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending / delivered / failed
    attempts: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None]
    status_code: Mapped[int | None]
    response_ms: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(500))
    # Each attempt: [{"at", "status_code", "response_ms", "error"}], newest last.
    history: Mapped[list] = mapped_column(JSONB, default=list, server_default=text("'[]'::jsonb"))
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    endpoint = relationship("WebhookEndpoint")
