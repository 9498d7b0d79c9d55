"""Tenant baseline.

New tenants are created at head by provisioning (``metadata.create_all`` in one
transaction, then stamped), so no migration is replayed per sign-up (DESIGN.md
rule 5). This revision only marks where the tenant track starts; later
revisions change existing schemas and must pass ``schema=tenant_schema()``
because Alembic operations ignore ``schema_translate_map``.

Revision ID: 0001_tenant
Revises:
Create Date: 2026-11-22
"""

revision = "0001_tenant"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
