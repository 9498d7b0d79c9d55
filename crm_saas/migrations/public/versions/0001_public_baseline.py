"""Public schema: tenants, their domains, the trigram extension.

Revision ID: 0001_public
Revises:
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0001_public"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
    op.create_table(
        "tenants",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("slug", sa.String(63), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("schema_name", sa.String(63), nullable=False, unique=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("contact_name", sa.String(100)),
        sa.Column("contact_phone", sa.String(30)),
        sa.Column("contact_email", sa.String(200)),
        sa.Column("rep_code", sa.String(6)),
        sa.Column("schema_version", sa.String(64)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True)),
        schema="public",
    )
    op.create_table(
        "tenant_domains",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("tenant_id", sa.BigInteger, sa.ForeignKey("public.tenants.id", ondelete="CASCADE"), nullable=False),
        sa.Column("domain", sa.String(253), nullable=False, unique=True),
        sa.Column("is_primary", sa.Boolean, nullable=False),
        schema="public",
    )


def downgrade():
    op.drop_table("tenant_domains", schema="public")
    op.drop_table("tenants", schema="public")
