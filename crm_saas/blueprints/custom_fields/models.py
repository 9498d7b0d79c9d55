"""Custom field definitions (tenant schema); the values live in each record's ``custom`` JSONB column.

A definition is a row rather than a column so that adding a field is an
INSERT any admin can make, with no migration per company (DESIGN.md
"Custom fields").
"""
from datetime import datetime

from sqlalchemy import String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from crm_saas.core.base import TenantTable, tenant_args, utcnow
from crm_saas.extensions import db


class CustomField(TenantTable, db.Model):
    """``key`` names the value inside ``custom`` and never changes, so stored values never go stale."""

    __tablename__ = "custom_fields"
    __table_args__ = tenant_args(UniqueConstraint("entity", "key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(20))
    required: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    options: Mapped[list] = mapped_column(JSONB, default=list, server_default=text("'[]'::jsonb"))
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def has_options(self):
        return self.type in ("choice", "multichoice")
