"""E3: one newest-first list of what happened to a customer or a deal: follow-ups, stage moves, field changes.

Each source is read newest first up to ``limit`` and the lists are merged,
so the page costs a few indexed queries however long the history is.
"""
from dataclasses import dataclass

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.activities.models import Activity
from crm_saas.blueprints.customers.models import CustomerChange
from crm_saas.blueprints.pipeline.models import Deal, DealChange, DealStageChange, Stage
from crm_saas.blueprints.pipeline.services import visible_deals
from crm_saas.core.users import User
from crm_saas.extensions import db

KINDS = ("activity", "stage_change", "customer_change", "deal_change")


@dataclass
class StageEntry:
    """A stage move as the timeline words it (stage names in the reader's language, via ``stage_label``)."""

    deal_id: int
    deal_name: str
    from_stage: Stage | None
    to_stage: Stage | None
    actor_name: str | None
    lost_reason: str | None


class Timeline(list):
    """``[(at, kind, object)]`` newest first; ``deal_ids`` are the customer's deals the viewer may see,
    so a follow-up on a colleague's hidden deal does not name that deal."""

    deal_ids: frozenset = frozenset()


def timeline(user, *, customer=None, deal=None, limit=100):
    """Entries ``(at, kind, object)`` for a customer or a deal the caller already found visible.

    kind is ``activity`` (an Activity), ``stage_change`` (a StageEntry),
    ``customer_change`` (a CustomerChange) or ``deal_change`` (a DealChange).
    On a customer, stage moves come from the deals ``user`` may see.
    """
    if customer is not None:
        deal_ids = frozenset(db.session.scalars(
            visible_deals(user).with_only_columns(Deal.id).where(Deal.customer_id == customer.id)))
        activities = select(Activity).where(Activity.customer_id == customer.id)
        moves = DealStageChange.deal_id.in_(sorted(deal_ids))
        changes = select(CustomerChange).where(CustomerChange.customer_id == customer.id) \
            .order_by(CustomerChange.at.desc(), CustomerChange.id.desc()).limit(limit)
        change_kind = "customer_change"
    else:
        deal_ids = frozenset({deal.id})
        activities = select(Activity).where(Activity.deal_id == deal.id)
        moves = DealStageChange.deal_id == deal.id
        changes = select(DealChange).where(DealChange.deal_id == deal.id) \
            .order_by(DealChange.at.desc(), DealChange.id.desc()).limit(limit)
        change_kind = "deal_change"
    entries = Timeline()
    entries.deal_ids = deal_ids
    entries += [(a.occurred_at, "activity", a) for a in db.session.scalars(
        activities.options(selectinload(Activity.created_by), selectinload(Activity.deal))
        .order_by(Activity.occurred_at.desc(), Activity.id.desc()).limit(limit))]
    entries += [(at, "stage_change", move) for at, move in _stage_entries(moves, limit)]
    entries += [(change.at, change_kind, change) for change in db.session.scalars(changes)]
    entries.sort(key=lambda entry: (entry[0], KINDS.index(entry[1])), reverse=True)
    del entries[limit:]
    return entries


def _stage_entries(condition, limit):
    rows = db.session.execute(
        select(DealStageChange, Deal.name).join(Deal, Deal.id == DealStageChange.deal_id).where(condition)
        .order_by(DealStageChange.moved_at.desc(), DealStageChange.id.desc()).limit(limit)
    ).all()
    stage_ids = {sid for change, _name in rows for sid in (change.from_stage_id, change.to_stage_id) if sid}
    stages = {s.id: s for s in db.session.scalars(select(Stage).where(Stage.id.in_(stage_ids or [0])))}
    people = {c.moved_by_id for c, _name in rows if c.moved_by_id}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(people or [0]))).all())
    return [
        (change.moved_at, StageEntry(change.deal_id, name, stages.get(change.from_stage_id),
                                     stages.get(change.to_stage_id), names.get(change.moved_by_id),
                                     change.lost_reason))
        for change, name in rows
    ]


def timeline_for(subject, record, limit=100):
    """Template global: the timeline of ``record`` (a customer or a deal) for the person viewing."""
    if subject == "deal":
        return timeline(current_user, deal=record, limit=limit)
    return timeline(current_user, customer=record, limit=limit)
