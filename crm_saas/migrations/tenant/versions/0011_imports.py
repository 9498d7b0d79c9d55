"""Import (issue 15): import batches, their row problems, remembered mappings; records tagged with their batch.

Customers and deals keep the id they had in the imported file (``external_ref``,
seed 002's 客户ID and 机会ID), so the sheets imported after them link to them.

Revision ID: 0011_imports
Revises: 0010_pools
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from crm_saas.tenants.migrate import tenant_schema

revision = "0011_imports"
down_revision = "0010_pools"
branch_labels = None
depends_on = None

TAGGED = ("customers", "deals", "activities", "customer_changes")


def upgrade():
    s = tenant_schema()
    op.create_table(
        "imports",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("job", sa.String(20)),
        sa.Column("original_name", sa.String(255), nullable=False),
        sa.Column("file_name", sa.String(200)),
        sa.Column("file_format", sa.String(10), nullable=False),
        sa.Column("encoding", sa.String(20)),
        sa.Column("sheet", sa.String(100)),
        sa.Column("header_row", sa.BigInteger, nullable=False),
        sa.Column("columns", postgresql.JSONB, nullable=False),
        sa.Column("samples", postgresql.JSONB, nullable=False),
        sa.Column("mapping", postgresql.JSONB, nullable=False),
        sa.Column("defaults", postgresql.JSONB, nullable=False),
        sa.Column("duplicate_policy", sa.String(10), nullable=False),
        sa.Column("pool_id", sa.BigInteger),
        sa.Column("locale", sa.String(10)),
        sa.Column("totals", postgresql.JSONB, nullable=False),
        sa.Column("error_file_name", sa.String(200)),
        sa.Column("revert_report", postgresql.JSONB),
        sa.Column("created_by_id", sa.BigInteger, sa.ForeignKey(f"{s}.users.id", name="fk_imports_created_by_id_users"),
                  nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("validated_at", sa.DateTime(timezone=True)),
        sa.Column("committed_at", sa.DateTime(timezone=True)),
        sa.Column("reverted_at", sa.DateTime(timezone=True)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("progress", sa.BigInteger, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("job_id", sa.String(64)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_imports"),
        schema=s,
    )
    op.create_index("ix_imports_created_at", "imports", ["created_at"], schema=s)
    op.create_table(
        "import_problems",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("import_id", sa.BigInteger, sa.ForeignKey(f"{s}.imports.id", ondelete="CASCADE",
                                                            name="fk_import_problems_import_id_imports"),
                  nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("row", sa.BigInteger, nullable=False),
        sa.Column("field", sa.String(80)),
        sa.Column("message", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_import_problems"),
        schema=s,
    )
    op.create_index("ix_import_problems_import_id_row", "import_problems", ["import_id", "row"], schema=s)
    op.create_table(
        "import_mappings",
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("mapping", postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("defaults", postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("updated_by_id", sa.BigInteger,
                  sa.ForeignKey(f"{s}.users.id", name="fk_import_mappings_updated_by_id_users")),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", name="pk_import_mappings"),
        schema=s,
    )
    for table in TAGGED:
        op.add_column(table, sa.Column("import_id", sa.BigInteger), schema=s)
    for table in ("customers", "deals"):
        op.add_column(table, sa.Column("external_ref", sa.String(100)), schema=s)
        op.create_index(f"ix_{table}_external_ref", table, ["external_ref"], schema=s,
                        postgresql_where=sa.text("external_ref IS NOT NULL"))
    op.create_index("ix_customer_changes_import_id", "customer_changes", ["import_id"], schema=s,
                    postgresql_where=sa.text("import_id IS NOT NULL"))


def downgrade():
    s = tenant_schema()
    op.drop_index("ix_customer_changes_import_id", "customer_changes", schema=s)
    for table in ("customers", "deals"):
        op.drop_index(f"ix_{table}_external_ref", table, schema=s)
        op.drop_column(table, "external_ref", schema=s)
    for table in TAGGED:
        op.drop_column(table, "import_id", schema=s)
    op.drop_table("import_mappings", schema=s)
    op.drop_table("import_problems", schema=s)
    op.drop_table("imports", schema=s)
