"""The platform side (issue 14): operators and agency staff, agencies and rep codes, a company's life.

Platform accounts live here, in the public schema, apart from every
company's staff: their sessions, tokens and login log too, so neither kind
of account means anything on the other's host. Companies gain their agency
and rep, the counts the operator reads without opening a schema, and the
rep's own classification and recycle bin.

Revision ID: 0003_platform
Revises: 0002_search_grams
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003_platform"
down_revision = "0002_search_grams"
branch_labels = None
depends_on = None

S = "public"
NOW = sa.text("now()")


def _id():
    return sa.Column("id", sa.BigInteger, primary_key=True)


def _at(name, nullable=True):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _user_fk(name, ondelete=None, nullable=True):
    return sa.Column(name, sa.BigInteger, sa.ForeignKey(f"{S}.platform_users.id", ondelete=ondelete), nullable=nullable)


def _tenant_fk():
    return sa.Column("tenant_id", sa.BigInteger, sa.ForeignKey(f"{S}.tenants.id", ondelete="CASCADE"), nullable=False)


def upgrade():
    op.create_table(
        "agencies", _id(),
        sa.Column("prefix", sa.String(4), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("contact", sa.String(100)),
        sa.Column("phone", sa.String(30)),
        sa.Column("status", sa.String(20), nullable=False, server_default="active"),
        sa.Column("bonus_trial_days", sa.Integer, nullable=False, server_default="0"),
        _at("created_at", nullable=False),
        schema=S,
    )
    op.create_table(
        "platform_users", _id(),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("phone", sa.String(30)),
        sa.Column("email", sa.String(200)),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("agency_id", sa.BigInteger, sa.ForeignKey(f"{S}.agencies.id")),
        sa.Column("code", sa.String(6), unique=True),
        sa.Column("superior_id", sa.BigInteger, sa.ForeignKey(f"{S}.platform_users.id")),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        _at("deactivated_at"),
        sa.Column("decides_extensions", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("totp_secret", sa.String(300)),
        sa.Column("totp_confirmed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("totp_last_step", sa.BigInteger),
        sa.Column("must_change_password", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        _at("locked_until"),
        sa.Column("session_token", sa.String(32), nullable=False),
        _at("last_login_at"),
        sa.Column("locale", sa.String(10)),
        _at("created_at", nullable=False),
        sa.CheckConstraint("(role = 'operator') = (agency_id IS NULL)", name="agency_staff_have_agency"),
        schema=S,
    )
    op.create_index("uq_platform_users_username", "platform_users", [sa.text("lower(username)")], unique=True,
                    schema=S)
    op.create_index("ix_platform_users_superior_id", "platform_users", ["superior_id"], schema=S)
    op.create_index("ix_platform_users_agency_id", "platform_users", ["agency_id"], schema=S)
    for name, column in (("platform_sessions", "key_hash"), ("platform_tokens", "token_hash")):
        op.create_table(
            name, _id(), _user_fk("user_id", "CASCADE", nullable=False),
            sa.Column(column, sa.String(64), nullable=False, unique=True),
            _at("created_at", nullable=False),
            *((_at("ended_at"), sa.Column("ip", sa.String(64)), sa.Column("user_agent", sa.String(300)))
              if name == "platform_sessions" else (_at("expires_at", nullable=False), _at("revoked_at"))),
            schema=S,
        )
    op.create_table(
        "platform_login_events", _id(),
        sa.Column("username", sa.String(64), nullable=False),
        _user_fk("user_id", "SET NULL"),
        sa.Column("success", sa.Boolean, nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("ip", sa.String(64)),
        sa.Column("user_agent", sa.String(300)),
        _at("at", nullable=False),
        schema=S,
    )
    op.create_index("ix_platform_login_events_at", "platform_login_events", ["at"], schema=S)
    op.create_table(
        "platform_settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", JSONB, nullable=False),
        schema=S,
    )

    op.add_column("tenants", sa.Column("agency_id", sa.BigInteger, sa.ForeignKey(f"{S}.agencies.id")), schema=S)
    op.add_column("tenants", _user_fk("rep_id"), schema=S)
    op.add_column("tenants", sa.Column("paid", sa.Boolean, nullable=False, server_default=sa.false()), schema=S)
    op.add_column("tenants", sa.Column("status_reason", sa.Text), schema=S)
    op.add_column("tenants", _at("approved_at"), schema=S)
    op.add_column("tenants", _at("paid_at"), schema=S)
    op.add_column("tenants", sa.Column("warned_days", sa.Integer), schema=S)
    op.add_column("tenants", sa.Column("category", sa.String(50)), schema=S)
    op.add_column("tenants", _at("binned_at"), schema=S)
    for column in ("user_count", "customer_count"):
        op.add_column("tenants", sa.Column(column, sa.Integer, nullable=False, server_default="0"), schema=S)
    op.add_column("tenants", sa.Column("storage_bytes", sa.BigInteger, nullable=False, server_default="0"),
                  schema=S)
    op.add_column("tenants", _at("counted_at"), schema=S)
    # The operator's list filters by status and sorts by end date; an agency's by rep, then end date.
    op.create_index("ix_tenants_status_expires_at", "tenants", ["status", "expires_at"], schema=S)
    op.create_index("ix_tenants_expires_at", "tenants", ["expires_at"], schema=S)
    op.create_index("ix_tenants_agency_id_expires_at", "tenants", ["agency_id", "expires_at"], schema=S)
    op.create_index("ix_tenants_rep_id_expires_at", "tenants", ["rep_id", "expires_at"], schema=S)

    op.create_table(
        "platform_log", _id(),
        _at("at", nullable=False),
        _user_fk("actor_id", "SET NULL"),
        sa.Column("actor_name", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target_type", sa.String(20), nullable=False),
        sa.Column("target_id", sa.BigInteger),
        sa.Column("target_label", sa.String(200), nullable=False),
        sa.Column("tenant_id", sa.BigInteger, sa.ForeignKey(f"{S}.tenants.id", ondelete="SET NULL")),
        sa.Column("before", JSONB, nullable=False),
        sa.Column("after", JSONB, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("ip", sa.String(64)),
        schema=S,
    )
    op.create_index("ix_platform_log_tenant_id_at", "platform_log", ["tenant_id", "at"], schema=S)
    op.create_index("ix_platform_log_at", "platform_log", ["at"], schema=S)
    op.create_table(
        "extension_requests", _id(), _tenant_fk(),
        sa.Column("days", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        _user_fk("requested_by", "SET NULL"),
        _at("requested_at", nullable=False),
        _user_fk("decided_by", "SET NULL"),
        _at("decided_at"),
        sa.Column("decision_reason", sa.Text),
        schema=S,
    )
    op.create_index("ix_extension_requests_tenant_id", "extension_requests", ["tenant_id"], schema=S)
    op.create_index("ix_extension_requests_status", "extension_requests", ["status"], schema=S)
    op.create_table(
        "agency_contacts", _id(), _tenant_fk(),
        _at("occurred_at", nullable=False),
        sa.Column("way", sa.String(20), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        _at("next_contact_at"),
        _user_fk("created_by", "SET NULL"),
        _at("created_at", nullable=False),
        schema=S,
    )
    op.create_index("ix_agency_contacts_tenant_id_occurred_at", "agency_contacts", ["tenant_id", "occurred_at"],
                    schema=S)
    op.create_table(
        "tenant_presence",
        sa.Column("tenant_id", sa.BigInteger, sa.ForeignKey(f"{S}.tenants.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("user_id", sa.BigInteger, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        _at("seen_at", nullable=False),
        schema=S,
    )
    op.create_index("ix_tenant_presence_seen_at", "tenant_presence", ["seen_at"], schema=S)


def downgrade():
    for table in ("tenant_presence", "agency_contacts", "extension_requests", "platform_log"):
        op.drop_table(table, schema=S)
    for index in ("ix_tenants_rep_id_expires_at", "ix_tenants_agency_id_expires_at", "ix_tenants_expires_at",
                  "ix_tenants_status_expires_at"):
        op.drop_index(index, table_name="tenants", schema=S)
    for column in ("counted_at", "storage_bytes", "customer_count", "user_count", "binned_at",
                   "category", "warned_days", "paid_at", "approved_at", "status_reason", "paid", "rep_id",
                   "agency_id"):
        op.drop_column("tenants", column, schema=S)
    for table in ("platform_settings", "platform_login_events", "platform_tokens", "platform_sessions",
                  "platform_users", "agencies"):
        op.drop_table(table, schema=S)
