"""Phone search by any run of digits (issue 13): a trigram index on contacts.phone_key.

The search looked for the number as typed, from its start (``phone LIKE 'q%'``),
so ``01088886666`` missed ``010-8888 6666`` and the last four digits found
nothing. It now looks inside the digits-only ``phone_key``; the prefix index on
the typed number served only that search and goes.

Revision ID: 0007_phone_digits_search
Revises: 0006_encrypt_secrets
Create Date: 2026-12-06
"""
from alembic import op

from crm_saas.tenants.migrate import tenant_schema

revision = "0007_phone_digits_search"
down_revision = "0006_encrypt_secrets"
branch_labels = None
depends_on = None


def upgrade():
    s = tenant_schema()
    op.create_index("ix_contacts_phone_key_trgm", "contacts", ["phone_key"], schema=s, postgresql_using="gin",
                    postgresql_ops={"phone_key": "gin_trgm_ops"})
    op.drop_index("ix_contacts_phone", "contacts", schema=s)


def downgrade():
    s = tenant_schema()
    op.create_index("ix_contacts_phone", "contacts", ["phone"], schema=s,
                    postgresql_ops={"phone": "varchar_pattern_ops"})
    op.drop_index("ix_contacts_phone_key_trgm", "contacts", schema=s)
