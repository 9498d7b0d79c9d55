"""Login sessions (issue 11): one row per signed-in browser, so logging out ends it on the server.

Cookies made before this revision name no session and stop working: everyone signs in once more.

Revision ID: 0005_login_sessions
Revises: 0004_pipeline
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

from crm_saas.tenants.migrate import tenant_schema

revision = "0005_login_sessions"
down_revision = "0004_pipeline"
branch_labels = None
depends_on = None


def upgrade():
    s = tenant_schema()
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey(f"{s}.users.id", ondelete="CASCADE",
                                                          name="fk_login_sessions_user_id_users"), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("ip", sa.String(64)),
        sa.Column("user_agent", sa.String(300)),
        sa.PrimaryKeyConstraint("id", name="pk_login_sessions"),
        sa.UniqueConstraint("key_hash", name="uq_login_sessions_key_hash"),
        schema=s,
    )
    op.create_index("ix_login_sessions_user_id", "login_sessions", ["user_id"], schema=s)


def downgrade():
    s = tenant_schema()
    op.drop_table("login_sessions", schema=s)
