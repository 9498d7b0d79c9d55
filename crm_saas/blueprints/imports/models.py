"""Import batches (I1), the problems their rows had, and each company's remembered column mappings.

An ``Import`` is one uploaded file on its way in: uploaded, mapped and
dry-run (``stage`` validated), committed by a job, maybe reverted by
another. The ``TrackedJob`` columns follow whichever job runs for it now
(``job``: commit or revert), so a dead worker is noticed as for exports.
Records an import writes carry its id (``customers.import_id``,
``deals.import_id``, ``activities.import_id``, ``customer_changes.import_id``),
which is what a revert reads.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_saas.core.base import TENANT_SCHEMA, TenantTable, tenant_args, utcnow
from crm_saas.core.jobs import TrackedJob
from crm_saas.extensions import db

KINDS = ("customers", "contacts", "deals", "activities")
POLICIES = ("skip", "update", "create")
STAGES = ("uploaded", "validated", "committed", "reverted")
IDLE = "idle"  # no job has run for the batch yet (TrackedJob.status)


class Import(TrackedJob, TenantTable, db.Model):
    __tablename__ = "imports"
    __table_args__ = tenant_args(Index("ix_imports_created_at", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    stage: Mapped[str] = mapped_column(String(20), default="uploaded")
    job: Mapped[str | None] = mapped_column(String(20))
    original_name: Mapped[str] = mapped_column(String(255))
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_format: Mapped[str] = mapped_column(String(10))
    encoding: Mapped[str | None] = mapped_column(String(20))
    sheet: Mapped[str | None] = mapped_column(String(100))
    # The file's headers as read (made unique), and its first rows, for the mapping page.
    header_row: Mapped[int] = mapped_column(default=1)
    columns: Mapped[list] = mapped_column(JSONB, default=list)
    samples: Mapped[list] = mapped_column(JSONB, default=list)
    mapping: Mapped[dict] = mapped_column(JSONB, default=dict)
    # Values for cells left empty (and fields no column fills): {"source": "other", "owner": "wang"}.
    defaults: Mapped[dict] = mapped_column(JSONB, default=dict)
    duplicate_policy: Mapped[str] = mapped_column(String(10), default="skip")
    pool_id: Mapped[int | None]
    # The importer's language when they asked: the job writes its messages and error file in it.
    locale: Mapped[str | None] = mapped_column(String(10))
    totals: Mapped[dict] = mapped_column(JSONB, default=dict)
    error_file_name: Mapped[str | None] = mapped_column(String(200))
    # What a revert did and what it left because someone edited it since.
    revert_report: Mapped[dict | None] = mapped_column(JSONB)
    created_by_id: Mapped[int] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    validated_at: Mapped[datetime | None]
    committed_at: Mapped[datetime | None]
    reverted_at: Mapped[datetime | None]

    created_by = relationship("User")


class ImportProblem(TenantTable, db.Model):
    """One row's problem: an error naming the field (``kind`` error), or a duplicate found (``kind`` duplicate).

    ``message`` is written in the importer's language when the rows were checked.
    """

    __tablename__ = "import_problems"
    __table_args__ = tenant_args(Index("ix_import_problems_import_id_row", "import_id", "row"))

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.imports.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10), default="error")
    row: Mapped[int]
    field: Mapped[str | None] = mapped_column(String(80))
    message: Mapped[str] = mapped_column(Text)


class ImportMapping(TenantTable, db.Model):
    """The mapping a company last used for a kind, offered again for the next file: {header: field}."""

    __tablename__ = "import_mappings"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    mapping: Mapped[dict] = mapped_column(JSONB, default=dict, server_default=text("'{}'::jsonb"))
    defaults: Mapped[dict] = mapped_column(JSONB, default=dict, server_default=text("'{}'::jsonb"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
