"""Files attached to customers and deals (K1, tenant schema)."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_saas.core.base import TENANT_SCHEMA, TenantTable, tenant_args, utcnow
from crm_saas.extensions import db

ENTITIES = ("customer", "deal")


class Attachment(TenantTable, db.Model):
    """One stored file; ``entity``/``entity_id`` name its record.

    No foreign key on ``entity_id``: one table serves two parents, so the
    parents' purges and merges call ``services.purge_attachments`` and
    ``services.move_attachments`` instead of relying on a cascade.
    """

    __tablename__ = "attachments"
    __table_args__ = tenant_args(Index("ix_attachments_entity_entity_id", "entity", "entity_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int]
    # The name the user gave it, cleaned for display only; the disk never sees it.
    file_name: Mapped[str] = mapped_column(String(255))
    # Set from the checked extension, never from the client's header.
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    uploaded_by = relationship("User")
