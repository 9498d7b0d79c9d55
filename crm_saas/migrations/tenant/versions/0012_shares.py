"""Shares (issue 15): a customer shared with a colleague, read-only or editable, optionally until a date.

Revision ID: 0012_shares
Revises: 0011_imports
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

from crm_saas.tenants.migrate import tenant_schema

revision = "0012_shares"
down_revision = "0011_imports"
branch_labels = None
depends_on = None


def upgrade():
    s = tenant_schema()
    op.create_table(
        "customer_shares",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("customer_id", sa.BigInteger, sa.ForeignKey(f"{s}.customers.id", ondelete="CASCADE",
                                                              name="fk_customer_shares_customer_id_customers"),
                  nullable=False),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey(f"{s}.users.id", name="fk_customer_shares_user_id_users"),
                  nullable=False),
        sa.Column("access", sa.String(10), nullable=False),
        sa.Column("until", sa.Date),
        sa.Column("created_by_id", sa.BigInteger,
                  sa.ForeignKey(f"{s}.users.id", name="fk_customer_shares_created_by_id_users")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_customer_shares"),
        sa.UniqueConstraint("customer_id", "user_id", name="uq_customer_shares_customer_id_user_id"),
        schema=s,
    )
    op.create_index("ix_customer_shares_user_id", "customer_shares", ["user_id"], schema=s)


def downgrade():
    s = tenant_schema()
    op.drop_table("customer_shares", schema=s)
