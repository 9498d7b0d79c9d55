"""Stored secrets encrypted (issue 11): the SMTP password saved as typed is encrypted with the app's key.

Runs inside ``crm-saas db upgrade``, which has the app and so its key
(core/crypto.py). Nothing changes in the tables' shape.

Revision ID: 0006_encrypt_secrets
Revises: 0005_login_sessions
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from crm_saas.core import crypto
from crm_saas.core.settings import SECRETS
from crm_saas.tenants.migrate import tenant_schema

revision = "0006_encrypt_secrets"
down_revision = "0005_login_sessions"
branch_labels = None
depends_on = None


def upgrade():
    settings = sa.table("settings", sa.column("key", sa.String), sa.column("value", postgresql.JSONB),
                        schema=tenant_schema())
    connection = op.get_bind()
    for key, value in connection.execute(sa.select(settings.c.key, settings.c.value)
                                         .where(settings.c.key.in_(list(SECRETS)))).all():
        if not isinstance(value, dict):
            continue
        sealed = {**value, **{name: crypto.encrypt(value[name]) for name in SECRETS[key] if value.get(name)}}
        if sealed != value:
            connection.execute(settings.update().where(settings.c.key == key).values(value=sealed))


def downgrade():
    pass  # encrypted secrets are read as they are; nothing to undo
