"""Moving a deal on the board (D3, D5): to another stage or another place in its column.

The deal row is locked for the move, so two moves of one card apply one
after the other. A move made from a stale copy of the card (its
``version`` is older than the deal's) is refused with where the deal is now,
so the person who moved second sees the final state instead of silently
undoing the first move. Every stage change is kept in ``DealStageChange``.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm_saas.blueprints.pipeline.models import Deal, DealStageChange
from crm_saas.blueprints.pipeline.services import GAP, end_position, get_stage, get_visible_deal
from crm_saas.blueprints.pipeline.services.deals import DealError, StaleDeal, stale_message, update_deal
from crm_saas.core.base import utcnow
from crm_saas.core.validators import holds_resident_id, resident_id_message
from crm_saas.core.visibility import visible
from crm_saas.extensions import db


class StaleMove(StaleDeal):
    """The deal changed since the mover's copy: ``deal`` is where it is now (the API says so beside the 409)."""

    def __init__(self, deal):
        super().__init__({"version": [stale_message(deal)]}, version=deal.version, stage_id=deal.stage_id)
        self.deal = deal


def move_deal(user, deal_id, stage_id, index=None, lost_reason=None, *, after_id=None, version=None):
    """Move a visible deal to ``stage_id``: after the card ``after_id`` (0: to the top) or at ``index``.

    Returns ``(deal, old_stage_id)``; None when the deal is not visible;
    raises DealError for a move the rules refuse, StaleMove for one made
    from an old copy. With neither ``after_id`` nor ``index`` the card goes
    to the end of the column.
    """
    deal = get_visible_deal(user, deal_id, for_update=True)
    if deal is None:
        return None
    if version is not None and version != deal.version:
        db.session.rollback()
        raise StaleMove(get_visible_deal(user, deal_id))
    stage = get_stage(stage_id) if stage_id else None
    if stage is None or stage.pipeline_id != deal.pipeline_id or stage.removed_at is not None:
        db.session.rollback()
        raise DealError({"stage_id": [_("Choose a stage of this deal's pipeline.")]})
    lost_reason = (lost_reason or "").strip() or None
    if stage.kind == "lost" and not lost_reason and deal.stage_id != stage.id:
        db.session.rollback()
        raise DealError({"lost_reason": [_("Give a reason for losing this deal.")]})
    if holds_resident_id(lost_reason):
        db.session.rollback()
        raise DealError({"lost_reason": [resident_id_message(_l("Reason for losing"))]})
    if lost_reason and len(lost_reason) > 500:
        db.session.rollback()
        raise DealError({"lost_reason": [_("Reason for losing: at most %(max)d characters.", max=500)]})
    old_stage_id = deal.stage_id
    if after_id is not None:
        deal.position = _position_after(user, stage.id, after_id or None, exclude=deal.id)
    elif index is not None:
        deal.position = _position_at(user, stage.id, index, exclude=deal.id)
    elif old_stage_id != stage.id:
        deal.position = end_position(stage.id)
    if old_stage_id != stage.id:
        change_stage(deal, stage, lost_reason, actor=user)
    deal.version += 1
    db.session.commit()
    return deal, old_stage_id


def change_stage(deal, stage, lost_reason, *, actor):
    """The stage part of a move (also used by bulk changes): probability follows, history records it."""
    old_stage_id = deal.stage_id
    deal.stage_id = stage.id
    deal.stage = stage
    deal.stage_changed_at = utcnow()
    deal.probability = stage.probability
    deal.lost_reason = lost_reason if stage.kind == "lost" else None
    db.session.add(DealStageChange(deal_id=deal.id, from_stage_id=old_stage_id, to_stage_id=stage.id,
                                   moved_by_id=actor.id, lost_reason=deal.lost_reason))


def _ordered(user, stage_id, exclude):
    return (visible(select(Deal.id, Deal.position), Deal.owner_id, user)
            .where(Deal.stage_id == stage_id, Deal.id != exclude, Deal.deleted_at.is_(None))
            .order_by(Deal.position, Deal.id))


def _position_after(user, stage_id, after_id, exclude):
    """Between the card ``after_id`` and the one after it; at the top for None; at the end if unknown.

    Neighbours are named by id rather than by index so a move on a filtered
    or half-loaded column lands where the card was dropped.
    """
    if after_id is None:
        first = db.session.execute(_ordered(user, stage_id, exclude).limit(1)).first()
        return (first.position - GAP) if first else 0
    anchor = db.session.execute(_ordered(user, stage_id, exclude).where(Deal.id == after_id)).first()
    if anchor is None:
        return end_position(stage_id)
    following = db.session.execute(
        _ordered(user, stage_id, exclude).where(
            (Deal.position > anchor.position) | ((Deal.position == anchor.position) & (Deal.id > anchor.id)))
        .limit(1)).first()
    return (anchor.position + following.position) / 2 if following else anchor.position + GAP


def _position_at(user, stage_id, index, exclude):
    """A position that puts the card at ``index`` among the visible cards of the stage (the API's way)."""
    index = max(int(index), 0)
    neighbours = db.session.scalars(
        _ordered(user, stage_id, exclude).with_only_columns(Deal.position)
        .offset(max(index - 1, 0)).limit(2 if index else 1)
    ).all()
    if index == 0:
        return (neighbours[0] - GAP) if neighbours else 0
    if len(neighbours) == 2:
        return (neighbours[0] + neighbours[1]) / 2
    return (neighbours[0] + GAP) if neighbours else end_position(stage_id)


def patch_deal(deal, changes, *, actor):
    """An edit from the API's PATCH: field changes, then a stage move, both checked against one ``version``.

    A new ``stage_id`` is a move (a lost stage needs ``lost_reason``); the
    fields change first and their new version carries the move, so one
    request never trips over its own first half.
    """
    changes = dict(changes)
    version = changes.pop("version", None)
    stage_id, lost_reason = changes.pop("stage_id", None), changes.pop("lost_reason", None)
    if changes:
        update_deal(deal, {k: v for k, v in changes.items() if k != "reason"}, actor=actor,
                    reason=changes.get("reason"), version=version)
        version = None if version is None else deal.version
    if stage_id is not None and stage_id != deal.stage_id:
        move_deal(actor, deal.id, stage_id, lost_reason=lost_reason, version=version)
    db.session.refresh(deal)
    return deal
