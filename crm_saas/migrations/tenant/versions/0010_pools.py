"""The public pool (issue 15): pools, members, rules, pool events, protection requests; customers owned or pooled.

Existing companies get their default pool here (new ones at provisioning),
and each customer the clock the pool's rules count from: owned since it was
created, followed up at its newest follow-up. Rules start switched off, so
nothing goes back to a pool until an admin sets them.

Revision ID: 0010_pools
Revises: 0009_short_search
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from crm_saas.tenants.migrate import tenant_schema

revision = "0010_pools"
down_revision = "0009_short_search"
branch_labels = None
depends_on = None

CUSTOMER_COLUMNS = ("pool_id", "pool_entered_at", "pool_reason", "pool_rule", "previous_owner_id", "owned_at",
                    "last_follow_up_at", "protected_until", "protection_extensions")


def upgrade():
    s = tenant_schema()
    users = f"{s}.users.id"
    op.create_table(
        "pools",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("is_default", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("admin_id", sa.BigInteger, sa.ForeignKey(users, name="fk_pools_admin_id_users")),
        sa.Column("rules", postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("claim_per_day", sa.BigInteger),
        sa.Column("max_owned", sa.BigInteger),
        sa.Column("reclaim_wait_days", sa.BigInteger, nullable=False, server_default=sa.text("0")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        schema=s,
    )
    op.create_index("ix_pools_one_default", "pools", ["is_default"], unique=True, schema=s,
                    postgresql_where=sa.text("is_default"))
    op.create_table(
        "pool_members",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("pool_id", sa.BigInteger, sa.ForeignKey(f"{s}.pools.id", ondelete="CASCADE",
                                                          name="fk_pool_members_pool_id_pools"), nullable=False),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey(users, name="fk_pool_members_user_id_users"),
                  nullable=False),
        sa.Column("subtree", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.UniqueConstraint("pool_id", "user_id", name="uq_pool_members_pool_id_user_id"),
        schema=s,
    )
    op.create_index("ix_pool_members_user_id", "pool_members", ["user_id"], schema=s)
    op.create_table(
        "pool_events",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("pool_id", sa.BigInteger, sa.ForeignKey(f"{s}.pools.id", ondelete="CASCADE",
                                                          name="fk_pool_events_pool_id_pools"), nullable=False),
        sa.Column("customer_id", sa.BigInteger, sa.ForeignKey(f"{s}.customers.id", ondelete="CASCADE",
                                                              name="fk_pool_events_customer_id_customers"),
                  nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey(users, name="fk_pool_events_user_id_users")),
        sa.Column("actor_id", sa.BigInteger, sa.ForeignKey(users, name="fk_pool_events_actor_id_users")),
        sa.Column("rule", sa.String(30)),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        schema=s,
    )
    op.create_index("ix_pool_events_user_id_kind_at", "pool_events", ["user_id", "kind", "at"], schema=s)
    op.create_index("ix_pool_events_customer_id_kind_at", "pool_events", ["customer_id", "kind", "at"], schema=s)
    op.create_table(
        "protection_requests",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("customer_id", sa.BigInteger, sa.ForeignKey(
            f"{s}.customers.id", ondelete="CASCADE", name="fk_protection_requests_customer_id_customers"),
            nullable=False),
        sa.Column("requested_by_id", sa.BigInteger, sa.ForeignKey(
            users, name="fk_protection_requests_requested_by_id_users"), nullable=False),
        sa.Column("days", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="pending"),
        sa.Column("decided_by_id", sa.BigInteger, sa.ForeignKey(
            users, name="fk_protection_requests_decided_by_id_users")),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("note", sa.String(300)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        schema=s,
    )
    op.create_index("ix_protection_requests_customer_id", "protection_requests", ["customer_id"], schema=s)
    op.create_index("ix_protection_requests_pending", "protection_requests", ["created_at"], schema=s,
                    postgresql_where=sa.text("status = 'pending'"))

    op.alter_column("customers", "owner_id", nullable=True, schema=s)
    op.add_column("customers", sa.Column("pool_id", sa.BigInteger, sa.ForeignKey(
        f"{s}.pools.id", name="fk_customers_pool_id_pools")), schema=s)
    op.add_column("customers", sa.Column("pool_entered_at", sa.DateTime(timezone=True)), schema=s)
    op.add_column("customers", sa.Column("pool_reason", sa.Text), schema=s)
    op.add_column("customers", sa.Column("pool_rule", sa.String(30)), schema=s)
    op.add_column("customers", sa.Column("previous_owner_id", sa.BigInteger, sa.ForeignKey(
        users, name="fk_customers_previous_owner_id_users")), schema=s)
    op.add_column("customers", sa.Column("owned_at", sa.DateTime(timezone=True)), schema=s)
    op.add_column("customers", sa.Column("last_follow_up_at", sa.DateTime(timezone=True)), schema=s)
    op.add_column("customers", sa.Column("protected_until", sa.DateTime(timezone=True)), schema=s)
    op.add_column("customers", sa.Column("protection_extensions", sa.BigInteger, nullable=False,
                                         server_default=sa.text("0")), schema=s)
    op.create_index("ix_customers_pool", "customers", ["pool_id", "pool_entered_at"], schema=s,
                    postgresql_where=sa.text("pool_id IS NOT NULL"))
    op.create_check_constraint("ck_customers_owned_or_pooled", "customers",
                               "(owner_id IS NULL) <> (pool_id IS NULL)", schema=s)
    op.execute(f'UPDATE "{s}".customers c SET owned_at = c.created_at, last_follow_up_at = '
               f'(SELECT max(a.occurred_at) FROM "{s}".activities a WHERE a.customer_id = c.id)')
    # Dated with the company's first account, not now(): upgrading the same data twice makes the same rows
    # (a backup restored from an older revision equals the original brought to head).
    op.execute(f"INSERT INTO \"{s}\".pools (name, is_default, rules, reclaim_wait_days, created_at) "
               f"SELECT '公海', true, '{{}}'::jsonb, 0, coalesce(min(created_at), now()) FROM \"{s}\".users")


def downgrade():
    s = tenant_schema()
    # Pooled customers go back to whoever had them last (else the first admin): none is lost.
    op.execute(f'UPDATE "{s}".customers SET pool_id = NULL, owner_id = coalesce(previous_owner_id, '
               f'(SELECT min(id) FROM "{s}".users WHERE role = \'admin\')) WHERE owner_id IS NULL')
    op.drop_constraint("ck_customers_owned_or_pooled", "customers", type_="check", schema=s)
    op.drop_index("ix_customers_pool", "customers", schema=s)
    for column in CUSTOMER_COLUMNS:
        op.drop_column("customers", column, schema=s)
    op.alter_column("customers", "owner_id", nullable=False, schema=s)
    for table in ("protection_requests", "pool_events", "pool_members", "pools"):
        op.drop_table(table, schema=s)
