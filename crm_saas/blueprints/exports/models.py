"""Export requests and where their files went (tenant schema); the row follows its job (core/jobs.py)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_saas.core.base import TENANT_SCHEMA, TenantTable, utcnow
from crm_saas.core.jobs import TrackedJob
from crm_saas.extensions import db

# "all": the full company export (I3), admins only: a zip of every table and file (imports/services/full_export.py).
# "report": a report or the dashboard (``report`` names it; reports/services/catalog.py), as xlsx or PDF.
EXPORT_KINDS = ("customers", "deals", "activities", "report", "all")
FORMATS = ("xlsx", "pdf")
ADMIN_ONLY_KINDS = ("all",)


class Export(TrackedJob, TenantTable, db.Model):
    __tablename__ = "exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    format: Mapped[str] = mapped_column(String(10), default="xlsx", server_default="xlsx")
    report: Mapped[str | None] = mapped_column(String(40))
    filters: Mapped[dict] = mapped_column(JSONB, default=dict, server_default=text("'{}'::jsonb"))
    rows: Mapped[int] = mapped_column(default=0)
    file_name: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by = relationship("User")
