"""The operation log (J1): who did what to which record, kept after people leave.

Every feature writes it (``record``) in the same transaction as the change
it describes; the log pages that read it are the ``audit`` feature.
"""
from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_saas.core.base import TENANT_SCHEMA, TenantTable, tenant_args, utcnow
from crm_saas.extensions import db


class OperationLog(TenantTable, db.Model):
    """One row per change an admin may need to account for.

    ``actor_name`` and ``target_label`` are copied at the time, so the log
    still reads right after a rename or a departure (B3: history keeps names).
    """

    __tablename__ = "operation_log"
    __table_args__ = tenant_args(
        Index("ix_operation_log_at", "at"),
        Index("ix_operation_log_actor_id_at", "actor_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.users.id"))
    actor_name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int | None]
    target_label: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict] = mapped_column(JSONB, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))

    actor = relationship("User")


def record(action, target, *, actor, target_type=None, label=None, **details):
    """Add a log row to the current transaction: it commits or rolls back with the change it describes."""
    entry = OperationLog(
        actor_id=getattr(actor, "id", None), actor_name=getattr(actor, "name", None) or "system",
        action=action, target_type=target_type or type(target).__name__.lower(),
        target_id=getattr(target, "id", None), target_label=(label or _label(target))[:200],
        details=details, ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


def _label(target):
    name = getattr(target, "name", None) or ""
    for extra in ("username", "number"):
        if getattr(target, extra, None):
            return f"{name} ({getattr(target, extra)})"
    return name or str(getattr(target, "id", ""))
