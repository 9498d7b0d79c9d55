"""Password resets by email (issue 13.8): one row per emailed link, its token kept as a hash.

Revision ID: 0008_password_resets
Revises: 0007_phone_digits_search
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

from crm_saas.tenants.migrate import tenant_schema

revision = "0008_password_resets"
down_revision = "0007_phone_digits_search"
branch_labels = None
depends_on = None


def upgrade():
    s = tenant_schema()
    op.create_table(
        "password_resets",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey(f"{s}.users.id", ondelete="CASCADE",
                                                          name="fk_password_resets_user_id_users"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        sa.Column("ip", sa.String(64)),
        sa.PrimaryKeyConstraint("id", name="pk_password_resets"),
        sa.UniqueConstraint("token_hash", name="uq_password_resets_token_hash"),
        schema=s,
    )
    op.create_index("ix_password_resets_user_id", "password_resets", ["user_id"], schema=s)


def downgrade():
    s = tenant_schema()
    op.drop_table("password_resets", schema=s)
