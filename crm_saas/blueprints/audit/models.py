"""The operation log (J1): who did what to which record, kept after people leave."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_saas.extensions import db
from crm_saas.models_base import TENANT_SCHEMA, TenantTable, tenant_args, utcnow


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
