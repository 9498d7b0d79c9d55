"""Service and marketing (issue 17): custom roles, service requests and their timeline, campaigns and their
members, segments, webhook endpoints and deliveries, the outbox; customers and deals gain ``campaign_id``.

Revision ID: 0015_service_marketing
Revises: 0014_report_indexes
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from crm_saas.tenants.migrate import tenant_schema

revision = "0015_service_marketing"
down_revision = "0014_report_indexes"
branch_labels = None
depends_on = None
RELEASED = "TIMESTAMPTZ '2026-12-06 00:00:00+00'"


def _fk(table, column, target, ondelete=None):
    referred = target.split(".")[0]
    return sa.ForeignKey(f"{tenant_schema()}.{target}", ondelete=ondelete, name=f"fk_{table}_{column}_{referred}")


def _now(name="created_at"):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade():
    s = tenant_schema()
    jsonb_list = sa.text("'[]'::jsonb")
    jsonb_dict = sa.text("'{}'::jsonb")
    op.create_table(
        "roles",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("key", sa.String(20), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("rights", JSONB, nullable=False, server_default=jsonb_list),
        sa.Column("built_in", sa.Boolean, nullable=False, server_default=sa.text("false")),
        _now(),
        sa.PrimaryKeyConstraint("id", name="pk_roles"),
        sa.UniqueConstraint("key", name="uq_roles_key"),
        schema=s,
    )
    # Rows this migration adds carry its release time, not now(): a company migrated twice (a backup from an
    # older release restored beside the original) holds the very same rows.
    op.execute(f"INSERT INTO {s}.roles (key, name, rights, built_in, created_at) VALUES "
               f"('admin', 'admin', '[]', true, {RELEASED}), ('supervisor', 'supervisor', '[]', true, {RELEASED}), "
               f"('rep', 'rep', '[]', true, {RELEASED})")

    op.create_table(
        "service_requests",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("priority", sa.String(10), nullable=False),
        sa.Column("channel", sa.String(20)),
        sa.Column("subject", sa.String(200)),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("customer_id", sa.BigInteger, _fk("service_requests", "customer_id", "customers.id", "CASCADE"),
                  nullable=False),
        sa.Column("contact_id", sa.BigInteger, _fk("service_requests", "contact_id", "contacts.id", "SET NULL")),
        sa.Column("deal_id", sa.BigInteger, _fk("service_requests", "deal_id", "deals.id", "SET NULL")),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("assignee_id", sa.BigInteger, _fk("service_requests", "assignee_id", "users.id")),
        sa.Column("response_due_at", sa.DateTime(timezone=True)),
        sa.Column("due_at", sa.DateTime(timezone=True)),
        sa.Column("responded_at", sa.DateTime(timezone=True)),
        sa.Column("resolved_at", sa.DateTime(timezone=True)),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("resolution", sa.Text),
        sa.Column("satisfaction", sa.SmallInteger),
        sa.Column("overdue_reminded_at", sa.DateTime(timezone=True)),
        sa.Column("reopened", sa.BigInteger, nullable=False, server_default=sa.text("0")),
        sa.Column("created_by_id", sa.BigInteger, _fk("service_requests", "created_by_id", "users.id")),
        _now(), _now("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_service_requests"),
        sa.UniqueConstraint("number", name="uq_service_requests_number"),
        schema=s,
    )
    op.create_index("ix_service_requests_customer_id", "service_requests", ["customer_id"], schema=s)
    op.create_index("ix_service_requests_assignee_id_status", "service_requests", ["assignee_id", "status"], schema=s)
    op.create_index("ix_service_requests_created_at", "service_requests", ["created_at"], schema=s)
    op.create_index("ix_service_requests_open_due", "service_requests", ["due_at"], schema=s,
                    postgresql_where=sa.text("status IN ('new', 'in_progress', 'waiting_customer')"))
    op.create_table(
        "service_events",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("request_id", sa.BigInteger,
                  _fk("service_events", "request_id", "service_requests.id", "CASCADE"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("from_status", sa.String(20)),
        sa.Column("to_status", sa.String(20)),
        sa.Column("body", sa.Text),
        sa.Column("details", JSONB, nullable=False, server_default=jsonb_dict),
        sa.Column("actor_id", sa.BigInteger, _fk("service_events", "actor_id", "users.id")),
        _now("at"),
        sa.PrimaryKeyConstraint("id", name="pk_service_events"),
        schema=s,
    )
    op.create_index("ix_service_events_request_id_at", "service_events", ["request_id", "at"], schema=s)

    op.create_table(
        "segments",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("filters", JSONB, nullable=False, server_default=jsonb_dict),
        sa.Column("shared", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("builtin", sa.String(30)),
        sa.Column("owner_id", sa.BigInteger, _fk("segments", "owner_id", "users.id")),
        _now(), _now("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_segments"),
        schema=s,
    )
    op.create_index("ix_segments_owner_id", "segments", ["owner_id"], schema=s)
    # The ready-made segment every company has (G1): 沉睡客户, no follow-up and no deal for 90 days.
    op.execute(f"INSERT INTO {s}.segments (name, filters, shared, builtin, created_at, updated_at) "
               f"VALUES ('沉睡客户', '{{\"days\": 90}}', true, 'dormant', {RELEASED}, {RELEASED})")
    op.create_table(
        "campaigns",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("starts_on", sa.Date),
        sa.Column("ends_on", sa.Date),
        sa.Column("budget", sa.Numeric(14, 2)),
        sa.Column("cost", sa.Numeric(14, 2)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("owner_id", sa.BigInteger, _fk("campaigns", "owner_id", "users.id"), nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("segment_id", sa.BigInteger, _fk("campaigns", "segment_id", "segments.id", "SET NULL")),
        sa.Column("created_by_id", sa.BigInteger, _fk("campaigns", "created_by_id", "users.id")),
        _now(), _now("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_campaigns"),
        schema=s,
    )
    op.create_table(
        "campaign_members",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("campaign_id", sa.BigInteger, _fk("campaign_members", "campaign_id", "campaigns.id", "CASCADE"),
                  nullable=False),
        sa.Column("customer_id", sa.BigInteger, _fk("campaign_members", "customer_id", "customers.id", "CASCADE"),
                  nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("added_by_id", sa.BigInteger, _fk("campaign_members", "added_by_id", "users.id")),
        _now("added_at"),
        sa.Column("responded_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_campaign_members"),
        sa.UniqueConstraint("campaign_id", "customer_id", name="uq_campaign_members_campaign_id_customer_id"),
        schema=s,
    )
    op.create_index("ix_campaign_members_customer_id", "campaign_members", ["customer_id"], schema=s)
    for table in ("customers", "deals"):
        op.add_column(table, sa.Column("campaign_id", sa.BigInteger,
                                       _fk(table, "campaign_id", "campaigns.id", "SET NULL")), schema=s)
        op.create_index(f"ix_{table}_campaign_id", table, ["campaign_id"], schema=s,
                        postgresql_where=sa.text("campaign_id IS NOT NULL"))

    op.create_table(
        "outbox_events",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("record_type", sa.String(30), nullable=False),
        sa.Column("record_id", sa.BigInteger, nullable=False),
        sa.Column("data", JSONB, nullable=False),
        _now("occurred_at"),
        sa.Column("dispatched_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_events"),
        schema=s,
    )
    op.create_index("ix_outbox_events_pending", "outbox_events", ["id"], schema=s,
                    postgresql_where=sa.text("dispatched_at IS NULL"))
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("description", sa.String(200)),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("events", JSONB, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.Column("failures", sa.BigInteger, nullable=False, server_default=sa.text("0")),
        sa.Column("disabled_at", sa.DateTime(timezone=True)),
        sa.Column("disabled_reason", sa.String(300)),
        sa.Column("created_by_id", sa.BigInteger, _fk("webhook_endpoints", "created_by_id", "users.id")),
        _now(), _now("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_endpoints"),
        schema=s,
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("endpoint_id", sa.BigInteger,
                  _fk("webhook_deliveries", "endpoint_id", "webhook_endpoints.id", "CASCADE"), nullable=False),
        sa.Column("event_id", sa.BigInteger,
                  _fk("webhook_deliveries", "event_id", "outbox_events.id", "CASCADE"), nullable=False),
        sa.Column("record_key", sa.String(60), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.BigInteger, nullable=False, server_default=sa.text("0")),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("status_code", sa.BigInteger),
        sa.Column("response_ms", sa.BigInteger),
        sa.Column("error", sa.String(500)),
        sa.Column("history", JSONB, nullable=False, server_default=jsonb_list),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        _now(),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_deliveries"),
        sa.UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_deliveries_endpoint_id_event_id"),
        schema=s,
    )
    op.create_index("ix_webhook_deliveries_due", "webhook_deliveries", ["next_attempt_at"], schema=s,
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_index("ix_webhook_deliveries_endpoint_id_id", "webhook_deliveries", ["endpoint_id", "id"], schema=s)


def downgrade():
    s = tenant_schema()
    for table in ("webhook_deliveries", "webhook_endpoints", "outbox_events"):
        op.drop_table(table, schema=s)
    for table in ("deals", "customers"):
        op.drop_index(f"ix_{table}_campaign_id", table_name=table, schema=s)
        op.drop_column(table, "campaign_id", schema=s)
    for table in ("campaign_members", "campaigns", "segments", "service_events", "service_requests", "roles"):
        op.drop_table(table, schema=s)
