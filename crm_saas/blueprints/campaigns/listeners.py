"""What the campaigns feature hears from others (crm_saas.core.signals)."""
from sqlalchemy import delete, literal, select, update
from sqlalchemy.dialects.postgresql import insert

from crm_saas.blueprints.campaigns.models import Campaign, CampaignMember, Segment
from crm_saas.core import signals
from crm_saas.core.base import utcnow
from crm_saas.extensions import db

# The name migration 0015 gave existing companies; an admin may rename it.
DORMANT_NAME = "沉睡客户"
DORMANT_DAYS = 90


def connect():
    signals.tenant_provisioned.connect(_add_dormant_segment)
    signals.staff_departed.connect(_hand_over)
    signals.customers_merged.connect(_follow_merge)


def _add_dormant_segment(session, **_):
    """Every company starts with the ready-made 沉睡客户 segment (G1), as 0015 gave the existing ones."""
    if session.scalar(select(Segment.id).where(Segment.builtin == "dormant")) is None:
        now = utcnow()
        session.add(Segment(name=DORMANT_NAME, filters={"days": DORMANT_DAYS}, shared=True, builtin="dormant",
                            created_at=now, updated_at=now))


def _hand_over(user, *, to, **_):
    """A departing person's campaigns and segments go to their successor, who keeps them running (B3)."""
    campaigns = db.session.execute(update(Campaign).where(Campaign.owner_id == user.id).values(owner_id=to.id))
    segments = db.session.execute(update(Segment).where(Segment.owner_id == user.id).values(owner_id=to.id))
    return {"campaigns": campaigns.rowcount, "segments": segments.rowcount}


def _follow_merge(other, *, into, **_):
    """The merged-away customer's campaign memberships move to the customer kept (where it had none)."""
    rows = select(CampaignMember.campaign_id, literal(into.id), CampaignMember.status, CampaignMember.added_by_id,
                  CampaignMember.added_at, CampaignMember.responded_at).where(CampaignMember.customer_id == other.id)
    moved = db.session.execute(
        insert(CampaignMember)
        .from_select(["campaign_id", "customer_id", "status", "added_by_id", "added_at", "responded_at"], rows)
        .on_conflict_do_nothing(constraint="uq_campaign_members_campaign_id_customer_id"))
    db.session.execute(delete(CampaignMember).where(CampaignMember.customer_id == other.id))
    return {"campaign_members": moved.rowcount}
