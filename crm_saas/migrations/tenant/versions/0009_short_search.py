"""Short searches (issue 13): customers' and contacts' names indexed by their letters and letter pairs.

``public.crm_grams`` comes from the public track's 0002, which runs before any tenant's revisions.

Revision ID: 0009_short_search
Revises: 0008_password_resets
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

from crm_saas.tenants.migrate import tenant_schema

revision = "0009_short_search"
down_revision = "0008_password_resets"
branch_labels = None
depends_on = None


def upgrade():
    s = tenant_schema()
    for table in ("customers", "contacts"):
        op.create_index(f"ix_{table}_name_grams", table, [sa.text("public.crm_grams(name)")], schema=s,
                        postgresql_using="gin")


def downgrade():
    s = tenant_schema()
    for table in ("customers", "contacts"):
        op.drop_index(f"ix_{table}_name_grams", table, schema=s)
