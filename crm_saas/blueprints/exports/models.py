"""Export requests and where their files went (tenant schema)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_saas.core.base import TENANT_SCHEMA, TenantTable, utcnow
from crm_saas.extensions import db

EXPORT_KINDS = ("customers",)


class Export(TenantTable, db.Model):
    __tablename__ = "exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    filters: Mapped[dict] = mapped_column(JSONB, default=dict, server_default=text("'{}'::jsonb"))
    status: Mapped[str] = mapped_column(String(20), default="queued")
    progress: Mapped[int] = mapped_column(default=0)
    rows: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    file_name: Mapped[str | None] = mapped_column(String(200))
    job_id: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    created_by = relationship("User")
