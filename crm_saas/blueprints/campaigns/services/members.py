"""A campaign's target list (G1): adding customers (picked, or a segment's), re-syncing, response statuses.

Adding is one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING``: a customer
already in the campaign keeps its row and its status, so a re-sync adds
only the newcomers and reports how many. Customers come in only if the
actor sees them; the lists inside a campaign show only what the viewer
sees (package docstring), while its totals (figures.py) count everything.
"""
from flask_babel import gettext as _
from sqlalchemy import func, literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.campaigns.models import CampaignMember
from crm_saas.blueprints.campaigns.services.audience import segment_customer_ids
from crm_saas.blueprints.campaigns.services.campaigns import CampaignError
from crm_saas.blueprints.campaigns.services.codes import ANSWERED, MEMBER_STATUSES
from crm_saas.blueprints.campaigns.services.segments import get_segment_for
from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.customers.services import visible_customers
from crm_saas.blueprints.pipeline.models import Deal
from crm_saas.blueprints.pipeline.services import visible_deals
from crm_saas.core.base import utcnow
from crm_saas.extensions import db

MAX_PICKED = 5000


def add_customers(campaign, customer_ids, *, actor):
    """Add the picked customers; all or nothing: an id the actor cannot see names ``customer_ids``.

    Returns the ids added (those already members are left as they were).
    """
    if not isinstance(customer_ids, list) or not customer_ids or len(customer_ids) > MAX_PICKED or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in customer_ids):
        raise CampaignError({"customer_ids": [_("Send a list of 1 to %(max)d customer ids.", max=MAX_PICKED)]})
    wanted = set(customer_ids)
    found = set(db.session.scalars(visible_customers(actor).with_only_columns(Customer.id)
                                   .where(Customer.id.in_(wanted))))
    missing = sorted(wanted - found)
    if missing:
        raise CampaignError({"customer_ids": [_("No such customer, or not one you may see: %(ids)s.",
                                                ids=", ".join(str(i) for i in missing))]})
    added = _insert(campaign, select(Customer.id).where(Customer.id.in_(found)), actor)
    db.session.commit()
    return added


def add_from_segment(campaign, segment_id, *, actor):
    """Add every customer of the segment the actor sees, and remember the segment for re-syncs."""
    segment = get_segment_for(actor, segment_id)
    if segment is None:
        raise CampaignError({"segment_id": [_("No such segment, or not one you may see.")]})
    added = _insert(campaign, segment_customer_ids(segment, actor), actor)
    campaign.segment_id = segment.id
    db.session.commit()
    return added


def resync(campaign, *, actor):
    """Add the customers that came into the campaign's segment since; members and statuses stay as they are."""
    if campaign.segment_id is None:
        raise CampaignError({"segment_id": [_("This campaign was not filled from a segment.")]})
    return add_from_segment(campaign, campaign.segment_id, actor=actor)


def _insert(campaign, customer_ids, actor):
    """Members for ``customer_ids`` (a select of ids) not yet in the campaign; returns the ids added."""
    rows = select(literal(campaign.id), customer_ids.subquery().c.id, literal("invited"), literal(actor.id),
                  func.now())
    added = db.session.scalars(
        insert(CampaignMember)
        .from_select(["campaign_id", "customer_id", "status", "added_by_id", "added_at"], rows)
        .on_conflict_do_nothing(constraint="uq_campaign_members_campaign_id_customer_id")
        .returning(CampaignMember.customer_id)).all()
    return added


def set_member_status(member, status):
    """Record how the customer answered; ``responded_at`` marks the first answer and goes if it is taken back."""
    if status not in MEMBER_STATUSES:
        raise CampaignError({"status": [_("Choose one of: %(codes)s.", codes=", ".join(MEMBER_STATUSES))]})
    if status in ANSWERED and member.responded_at is None:
        member.responded_at = utcnow()
    elif status not in ANSWERED:
        member.responded_at = None
    member.status = status
    db.session.commit()
    return member


def remove_member(member):
    db.session.delete(member)
    db.session.commit()


def get_member(campaign, user, member_id):
    """A member of ``campaign`` whose customer ``user`` sees, else None (a 404)."""
    if not isinstance(member_id, int) or isinstance(member_id, bool):
        return None
    return db.session.scalar(_visible_members(campaign, user).where(CampaignMember.id == member_id))


def _visible_members(campaign, user):
    seen = visible_customers(user).with_only_columns(Customer.id)
    return select(CampaignMember).where(CampaignMember.campaign_id == campaign.id,
                                        CampaignMember.customer_id.in_(seen))


def members_page(campaign, user, *, status=None, page=1, per_page=50):
    """``(members, total)``: the members whose customers ``user`` sees, newest first, with their customers."""
    stmt = _visible_members(campaign, user)
    if status in MEMBER_STATUSES:
        stmt = stmt.where(CampaignMember.status == status)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(
        stmt.options(selectinload(CampaignMember.customer).selectinload(Customer.owner))
        .order_by(CampaignMember.added_at.desc(), CampaignMember.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


def brought_customers(campaign, user, *, limit=50):
    """``(customers, total)``: the customers who came from the campaign that ``user`` sees, newest first."""
    stmt = visible_customers(user).where(Customer.campaign_id == campaign.id)
    total = db.session.scalar(select(func.count()).select_from(stmt.with_only_columns(Customer.id).subquery()))
    rows = db.session.scalars(stmt.options(selectinload(Customer.owner))
                              .order_by(Customer.created_at.desc(), Customer.id.desc()).limit(limit)).all()
    return rows, total


def brought_deals(campaign, user, *, limit=50):
    """``(deals, total)``: the deals that came from the campaign that ``user`` sees, newest first."""
    stmt = visible_deals(user).where(Deal.campaign_id == campaign.id)
    total = db.session.scalar(select(func.count()).select_from(stmt.with_only_columns(Deal.id).subquery()))
    rows = db.session.scalars(stmt.options(selectinload(Deal.stage), selectinload(Deal.customer),
                                           selectinload(Deal.owner))
                              .order_by(Deal.created_at.desc(), Deal.id.desc()).limit(limit)).all()
    return rows, total
