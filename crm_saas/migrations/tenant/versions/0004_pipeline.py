"""The pipeline (issue 5): deals with products, versions and a change log; retired stages; follow-ups and tasks.

``deals.version`` starts at 1 for existing deals, so a board open before the
upgrade can still move its cards once. Stages removed from now on are
retired (``removed_at``) when deals passed through them, so the stage history
keeps pointing at real rows.

Revision ID: 0004_pipeline
Revises: 0003_customers
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from crm_saas.tenants.migrate import tenant_schema

revision = "0004_pipeline"
down_revision = "0003_customers"
branch_labels = None
depends_on = None


def upgrade():
    s = tenant_schema()
    users = f"{s}.users.id"
    op.add_column("deals", sa.Column("products", postgresql.JSONB, nullable=False,
                                     server_default=sa.text("'[]'::jsonb")), schema=s)
    op.add_column("deals", sa.Column("key_actions", sa.Text), schema=s)
    op.add_column("deals", sa.Column("version", sa.BigInteger, nullable=False, server_default=sa.text("1")), schema=s)
    op.add_column("deals", sa.Column("last_activity_at", sa.DateTime(timezone=True)), schema=s)
    op.add_column("deals", sa.Column("created_by_id", sa.BigInteger, sa.ForeignKey(
        users, name="fk_deals_created_by_id_users")), schema=s)
    op.add_column("stages", sa.Column("removed_at", sa.DateTime(timezone=True)), schema=s)
    op.create_table(
        "deal_changes",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("deal_id", sa.BigInteger, sa.ForeignKey(f"{s}.deals.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.BigInteger, sa.ForeignKey(users)),
        sa.Column("actor_name", sa.String(100), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("field", sa.String(80)),
        sa.Column("label", sa.String(100)),
        sa.Column("old", postgresql.JSONB),
        sa.Column("new", postgresql.JSONB),
        sa.Column("reason", sa.Text),
        schema=s,
    )
    op.create_index("ix_deal_changes_deal_id_at", "deal_changes", ["deal_id", "at"], schema=s)
    op.create_table(
        "activities",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("customer_id", sa.BigInteger, sa.ForeignKey(f"{s}.customers.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("deal_id", sa.BigInteger, sa.ForeignKey(f"{s}.deals.id", ondelete="SET NULL")),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.BigInteger),
        sa.Column("participants", sa.Text),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("feedback", sa.Text),
        sa.Column("offer", sa.Text),
        sa.Column("next_action", sa.Text),
        sa.Column("next_follow_up_at", sa.DateTime(timezone=True)),
        sa.Column("created_by_id", sa.BigInteger, sa.ForeignKey(users), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        schema=s,
    )
    op.create_index("ix_activities_customer_id_occurred_at", "activities", ["customer_id", "occurred_at"], schema=s)
    op.create_index("ix_activities_deal_id_occurred_at", "activities", ["deal_id", "occurred_at"], schema=s)
    op.create_table(
        "tasks",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("customer_id", sa.BigInteger, sa.ForeignKey(f"{s}.customers.id", ondelete="CASCADE")),
        sa.Column("deal_id", sa.BigInteger, sa.ForeignKey(f"{s}.deals.id", ondelete="CASCADE")),
        sa.Column("activity_id", sa.BigInteger, sa.ForeignKey(f"{s}.activities.id", ondelete="SET NULL")),
        sa.Column("assignee_id", sa.BigInteger, sa.ForeignKey(users), nullable=False),
        sa.Column("done", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("done_at", sa.DateTime(timezone=True)),
        sa.Column("created_by_id", sa.BigInteger, sa.ForeignKey(users)),
        sa.Column("reminded_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        schema=s,
    )
    op.create_index("ix_tasks_assignee_id_done_due_at", "tasks", ["assignee_id", "done", "due_at"], schema=s)
    op.create_index("ix_tasks_activity_id", "tasks", ["activity_id"], schema=s)
    op.create_index("ix_tasks_customer_id", "tasks", ["customer_id"], schema=s)
    op.create_index("ix_tasks_unreminded", "tasks", ["due_at"], schema=s,
                    postgresql_where=sa.text("NOT done AND reminded_at IS NULL"))


def downgrade():
    s = tenant_schema()
    op.drop_table("tasks", schema=s)
    op.drop_table("activities", schema=s)
    op.drop_table("deal_changes", schema=s)
    op.drop_column("stages", "removed_at", schema=s)
    for column in ("created_by_id", "last_activity_at", "version", "key_actions", "products"):
        op.drop_column("deals", column, schema=s)
