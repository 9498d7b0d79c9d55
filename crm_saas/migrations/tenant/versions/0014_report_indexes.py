"""Report indexes (issue 16): follow-ups and stage changes by time, as the dashboard and the reports read them.

Every figure over follow-ups counts a period of ``activities.occurred_at``
(a supervisor's also by author), and the funnel, the dashboard's funnel and
the targets read a period of ``deal_stage_changes.moved_at``. Without these
each read all 200,000 follow-ups or 100,000 stage changes of the bench's
company for a month's few thousand (bench/README.md, "The dashboard and the
reports").

Revision ID: 0014_report_indexes
Revises: 0013_reports
Create Date: 2026-12-06
"""
from alembic import op

from crm_saas.tenants.migrate import tenant_schema

revision = "0014_report_indexes"
down_revision = "0013_reports"
branch_labels = None
depends_on = None


def upgrade():
    s = tenant_schema()
    op.create_index("ix_activities_occurred_at", "activities", ["occurred_at"], schema=s)
    op.create_index("ix_activities_created_by_id_occurred_at", "activities", ["created_by_id", "occurred_at"],
                    schema=s)
    op.create_index("ix_deal_stage_changes_moved_at", "deal_stage_changes", ["moved_at"], schema=s)


def downgrade():
    s = tenant_schema()
    op.drop_index("ix_deal_stage_changes_moved_at", "deal_stage_changes", schema=s)
    op.drop_index("ix_activities_created_by_id_occurred_at", "activities", schema=s)
    op.drop_index("ix_activities_occurred_at", "activities", schema=s)
