"""Company settings (tenant schema): one JSON value per key, defaults in code."""
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from crm_saas.extensions import db
from crm_saas.models_base import TENANT_SCHEMA, TenantTable, utcnow


class Setting(TenantTable, db.Model):
    """A key absent from the table means the default in ``settings.services.DEFAULTS``.

    Storing only what an admin changed lets a new default reach every company
    that never touched it, with no data migration.
    """

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONB)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.users.id"))
