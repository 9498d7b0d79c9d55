"""Customers complete (issue 4): more fields, change log, transfer requests, recycle bin, custom fields, files.

Existing companies gain the folded name and phone keys used by duplicate
checks; they are computed here with the same Python functions the app uses
(``customers/keys.py``), because PostgreSQL's own character classes do not
fold full-width letters or Chinese punctuation the same way. Daily number
counters move to ``number_counters`` keyed by the rendered prefix, carrying
their last serials over, so no number handed out today can be handed out again.

Revision ID: 0003_customers
Revises: 0002_staff
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from crm_saas.blueprints.customers.services.keys import name_key, phone_key
from crm_saas.tenants.migrate import tenant_schema

revision = "0003_customers"
down_revision = "0002_staff"
branch_labels = None
depends_on = None

BATCH = 5000


def _users(schema):
    return sa.ForeignKey(f"{schema}.users.id")


def upgrade():
    s = tenant_schema()
    for name, column in (("name_key", sa.String(200)), ("category", sa.String(40)), ("needs", sa.Text),
                         ("goals", sa.Text), ("past_dealings", sa.Text)):
        op.add_column("customers", sa.Column(name, column), schema=s)
    op.add_column("customers", sa.Column("deleted_by_id", sa.BigInteger, sa.ForeignKey(
        f"{s}.users.id", name="fk_customers_deleted_by_id_users")), schema=s)
    op.add_column("contacts", sa.Column("phone_key", sa.String(30)), schema=s)
    op.add_column("users", sa.Column("preferences", postgresql.JSONB, nullable=False,
                                     server_default=sa.text("'{}'::jsonb")), schema=s)
    op.add_column("deals", sa.Column("deleted_at", sa.DateTime(timezone=True)), schema=s)
    _backfill_keys(s)
    op.create_index("ix_customers_updated_at", "customers", ["updated_at"], schema=s)
    op.create_index("ix_customers_name", "customers", ["name"], schema=s)
    op.create_index("ix_customers_name_key", "customers", ["name_key"], schema=s)
    op.create_index("ix_customers_tags", "customers", ["tags"], schema=s, postgresql_using="gin")
    op.create_index("ix_customers_region", "customers", ["province", "city", "district"], schema=s)
    op.create_index("ix_customers_deleted", "customers", ["deleted_at"], schema=s,
                    postgresql_where=sa.text("deleted_at IS NOT NULL"))
    op.create_index("ix_contacts_phone_key", "contacts", ["phone_key"], schema=s)

    op.create_table(
        "number_counters",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("last", sa.BigInteger, nullable=False),
        schema=s,
    )
    op.execute(f"""INSERT INTO "{s}".number_counters (key, last)
                   SELECT 'customer:CRM' || to_char(day, 'YYYYMMDD') || '#4', last FROM "{s}".number_sequences""")
    op.drop_table("number_sequences", schema=s)

    op.create_table(
        "customer_changes",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("customer_id", sa.BigInteger, sa.ForeignKey(f"{s}.customers.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.BigInteger, _users(s)),
        sa.Column("actor_name", sa.String(100), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("field", sa.String(80)),
        sa.Column("label", sa.String(100)),
        sa.Column("subject", sa.String(200)),
        sa.Column("old", postgresql.JSONB),
        sa.Column("new", postgresql.JSONB),
        sa.Column("reason", sa.Text),
        schema=s,
    )
    op.create_index("ix_customer_changes_customer_id_at", "customer_changes", ["customer_id", "at"], schema=s)
    op.create_table(
        "transfer_requests",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("customer_id", sa.BigInteger, sa.ForeignKey(f"{s}.customers.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("from_owner_id", sa.BigInteger, _users(s), nullable=False),
        sa.Column("to_user_id", sa.BigInteger, _users(s), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("requested_by_id", sa.BigInteger, _users(s), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("decided_by_id", sa.BigInteger, _users(s)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("note", sa.String(300)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        schema=s,
    )
    op.create_index("ix_transfer_requests_customer_id", "transfer_requests", ["customer_id"], schema=s)
    op.create_index("ix_transfer_requests_pending", "transfer_requests", ["created_at"], schema=s,
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_table(
        "custom_fields",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("entity", sa.String(20), nullable=False),
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("required", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("options", postgresql.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("entity", "key", name="uq_custom_fields_entity_key"),
        schema=s,
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("entity", sa.String(20), nullable=False),
        sa.Column("entity_id", sa.BigInteger, nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("stored_name", sa.String(80), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("uploaded_by_id", sa.BigInteger, _users(s), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("stored_name", name="uq_attachments_stored_name"),
        schema=s,
    )
    op.create_index("ix_attachments_entity_entity_id", "attachments", ["entity", "entity_id"], schema=s)


def _backfill_keys(s):
    """Fill the duplicate-check keys of existing rows, a batch at a time."""
    conn = op.get_bind()
    for table, source, target, fold in (("customers", "name", "name_key", name_key),
                                        ("contacts", "phone", "phone_key", phone_key)):
        last = 0
        while True:
            rows = conn.execute(sa.text(
                f'SELECT id, {source} FROM "{s}".{table} WHERE id > :last ORDER BY id LIMIT {BATCH}'),
                {"last": last}).all()
            if not rows:
                break
            conn.execute(sa.text(f'UPDATE "{s}".{table} SET {target} = :key WHERE id = :id'),
                         [{"id": row_id, "key": fold(value)} for row_id, value in rows])
            last = rows[-1][0]


def downgrade():
    s = tenant_schema()
    op.drop_table("attachments", schema=s)
    op.drop_table("custom_fields", schema=s)
    op.drop_table("transfer_requests", schema=s)
    op.drop_table("customer_changes", schema=s)
    op.create_table(
        "number_sequences",
        sa.Column("scope", sa.String(20), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("last", sa.BigInteger, nullable=False),
        schema=s,
    )
    op.drop_table("number_counters", schema=s)
    for index, table in (("ix_contacts_phone_key", "contacts"), ("ix_customers_deleted", "customers"),
                         ("ix_customers_region", "customers"), ("ix_customers_tags", "customers"),
                         ("ix_customers_name_key", "customers"), ("ix_customers_name", "customers"),
                         ("ix_customers_updated_at", "customers")):
        op.drop_index(index, table, schema=s)
    op.drop_column("deals", "deleted_at", schema=s)
    op.drop_column("users", "preferences", schema=s)
    op.drop_column("contacts", "phone_key", schema=s)
    for name in ("deleted_by_id", "past_dealings", "goals", "needs", "category", "name_key"):
        op.drop_column("customers", name, schema=s)
