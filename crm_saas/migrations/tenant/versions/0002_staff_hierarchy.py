"""Staff hierarchy, roles and approval (issue 3).

Adds the person's region and departure time, the superior index the
visibility rule walks, customer approval status, company settings and the
operation log.

Revision ID: 0002_staff
Revises: 0001_tenant
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from crm_saas.tenants.migrate import tenant_schema

revision = "0002_staff"
down_revision = "0001_tenant"
branch_labels = None
depends_on = None


def upgrade():
    schema = tenant_schema()
    op.add_column("users", sa.Column("region", sa.String(100)), schema=schema)
    op.add_column("users", sa.Column("deactivated_at", sa.DateTime(timezone=True)), schema=schema)
    op.create_index("ix_users_superior_id", "users", ["superior_id"], schema=schema)

    op.add_column("customers", sa.Column("status", sa.String(20), nullable=False, server_default="active"),
                  schema=schema)
    op.add_column("customers", sa.Column(
        "reviewed_by_id", sa.BigInteger,
        sa.ForeignKey(f"{schema}.users.id", name="fk_customers_reviewed_by_id_users"),
    ), schema=schema)
    op.add_column("customers", sa.Column("reviewed_at", sa.DateTime(timezone=True)), schema=schema)
    op.add_column("customers", sa.Column("review_note", sa.String(300)), schema=schema)
    op.create_index("ix_customers_pending", "customers", ["created_at"], schema=schema,
                    postgresql_where=sa.text("status = 'pending'"))

    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", postgresql.JSONB, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.BigInteger, sa.ForeignKey(f"{schema}.users.id")),
        schema=schema,
    )
    op.create_table(
        "operation_log",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.BigInteger, sa.ForeignKey(f"{schema}.users.id")),
        sa.Column("actor_name", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target_type", sa.String(20), nullable=False),
        sa.Column("target_id", sa.BigInteger),
        sa.Column("target_label", sa.String(200), nullable=False),
        sa.Column("details", postgresql.JSONB, nullable=False),
        sa.Column("ip", sa.String(64)),
        schema=schema,
    )
    op.create_index("ix_operation_log_at", "operation_log", ["at"], schema=schema)
    op.create_index("ix_operation_log_actor_id_at", "operation_log", ["actor_id", "at"], schema=schema)


def downgrade():
    schema = tenant_schema()
    op.drop_table("operation_log", schema=schema)
    op.drop_table("settings", schema=schema)
    op.drop_index("ix_customers_pending", "customers", schema=schema)
    for column in ("review_note", "reviewed_at", "reviewed_by_id", "status"):
        op.drop_column("customers", column, schema=schema)
    op.drop_index("ix_users_superior_id", "users", schema=schema)
    op.drop_column("users", "deactivated_at", schema=schema)
    op.drop_column("users", "region", schema=schema)
