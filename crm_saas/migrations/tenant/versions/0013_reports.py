"""Reports (issue 16): sales targets per person or team and month or quarter; report subscriptions by email;
exports gain a format (xlsx or PDF) and the report they hold.

Revision ID: 0013_reports
Revises: 0012_shares
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

from crm_saas.tenants.migrate import tenant_schema

revision = "0013_reports"
down_revision = "0012_shares"
branch_labels = None
depends_on = None


def upgrade():
    s = tenant_schema()
    users = f"{s}.users.id"
    op.create_table(
        "targets",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey(users, ondelete="CASCADE",
                                                          name="fk_targets_user_id_users")),
        sa.Column("team_id", sa.BigInteger, sa.ForeignKey(users, ondelete="CASCADE",
                                                          name="fk_targets_team_id_users")),
        sa.Column("metric", sa.String(20), nullable=False),
        sa.Column("value", sa.Numeric(14, 2), nullable=False),
        sa.Column("created_by_id", sa.BigInteger, sa.ForeignKey(users, name="fk_targets_created_by_id_users")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("(user_id IS NULL) <> (team_id IS NULL)", name="ck_targets_one_holder"),
        sa.PrimaryKeyConstraint("id", name="pk_targets"),
        schema=s,
    )
    op.create_index("uq_targets_person", "targets", ["period", "metric", "user_id"], unique=True, schema=s,
                    postgresql_where=sa.text("user_id IS NOT NULL"))
    op.create_index("uq_targets_team", "targets", ["period", "metric", "team_id"], unique=True, schema=s,
                    postgresql_where=sa.text("team_id IS NOT NULL"))
    op.create_table(
        "report_subscriptions",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey(users, ondelete="CASCADE",
                                                          name="fk_report_subscriptions_user_id_users"),
                  nullable=False),
        sa.Column("report", sa.String(40), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("last_sent_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_report_subscriptions"),
        schema=s,
    )
    op.add_column("exports", sa.Column("format", sa.String(10), nullable=False, server_default="xlsx"), schema=s)
    op.add_column("exports", sa.Column("report", sa.String(40)), schema=s)
    op.create_index("uq_report_subscriptions_user_report", "report_subscriptions", ["user_id", "report"],
                    unique=True, schema=s)


def downgrade():
    s = tenant_schema()
    op.drop_column("exports", "report", schema=s)
    op.drop_column("exports", "format", schema=s)
    op.drop_table("report_subscriptions", schema=s)
    op.drop_table("targets", schema=s)
