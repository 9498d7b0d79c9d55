"""Deals on the board: creating them, the board's columns, and moving cards."""
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import func, select, true
from sqlalchemy.orm import joinedload

from crm_saas.blueprints.pipeline.models import Deal, DealStageChange, Pipeline, Stage
from crm_saas.errors import FieldErrors
from crm_saas.extensions import db
from crm_saas.models_base import utcnow
from crm_saas.visibility import visible

CARDS_PER_COLUMN = 50


class DealError(FieldErrors):
    """``errors`` maps field names to messages (422 in the API, a message on the board)."""


def default_pipeline():
    return db.session.scalar(select(Pipeline).order_by(Pipeline.is_default.desc(), Pipeline.position, Pipeline.id))


def get_pipeline(pipeline_id):
    return db.session.get(Pipeline, pipeline_id)


def get_stage(stage_id):
    return db.session.get(Stage, stage_id)


def list_pipelines():
    return db.session.scalars(select(Pipeline).order_by(Pipeline.position, Pipeline.id)).all()


def visible_deals(user):
    """Deals ``user`` may see; those of customers in the recycle bin are out of sight with them."""
    return visible(select(Deal).where(Deal.deleted_at.is_(None)), Deal.owner_id, user)


def get_visible_deal(user, deal_id, *, for_update=False):
    stmt = visible_deals(user).where(Deal.id == deal_id)
    return db.session.scalar(stmt.with_for_update(of=Deal) if for_update else stmt)


def column_totals(pipeline_id, user, stage_ids=None):
    """``{stage_id: (count, amount)}`` over the deals ``user`` may see."""
    stmt = visible(
        select(Deal.stage_id, func.count(), func.coalesce(func.sum(Deal.amount), 0))
        .where(Deal.pipeline_id == pipeline_id, Deal.deleted_at.is_(None))
        .group_by(Deal.stage_id),
        Deal.owner_id, user,
    )
    if stage_ids is not None:
        stmt = stmt.where(Deal.stage_id.in_(stage_ids))
    return {stage_id: (count, amount) for stage_id, count, amount in db.session.execute(stmt)}


def board(pipeline, user, limit=CARDS_PER_COLUMN):
    """Each stage with its totals and its first ``limit`` visible cards: one LATERAL query for cards."""
    first_cards = (
        visible(select(Deal.id), Deal.owner_id, user)
        .where(Deal.stage_id == Stage.id, Deal.deleted_at.is_(None))
        .order_by(Deal.position, Deal.id)
        .limit(limit)
        .correlate(Stage)
        .lateral("first_cards")
    )
    deals = db.session.scalars(
        select(Deal)
        .select_from(Stage)
        .join(first_cards, true())
        .join(Deal, Deal.id == first_cards.c.id)
        .where(Stage.pipeline_id == pipeline.id)
        .options(joinedload(Deal.customer), joinedload(Deal.owner))
        .order_by(Deal.position, Deal.id)
    ).all()
    by_stage = {}
    for deal in deals:
        by_stage.setdefault(deal.stage_id, []).append(deal)
    totals = column_totals(pipeline.id, user)
    return [
        {"stage": stage, "count": totals.get(stage.id, (0, 0))[0], "amount": totals.get(stage.id, (0, 0))[1],
         "deals": by_stage.get(stage.id, [])}
        for stage in pipeline.stages
    ]


def parse_deal_fields(data):
    """Amount, close date and custom values (C4) from form or JSON input, with errors named by field."""
    from crm_saas.blueprints.custom_fields.services import clean_values

    errors, values = {}, {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = [_("Deal name is required.")]
    values["name"] = name
    try:
        values["amount"] = Decimal(str(data.get("amount") or "0"))
        if values["amount"] < 0:
            raise InvalidOperation
    except InvalidOperation:
        errors["amount"] = [_("Amount must be a number of 0 or more.")]
    raw_close = data.get("expected_close")
    try:
        values["expected_close"] = date.fromisoformat(str(raw_close)) if raw_close else None
    except ValueError:
        errors["expected_close"] = [_("Expected close date must be a date (YYYY-MM-DD).")]
    values["custom"], custom_errors = clean_values("deal", data.get("custom") or {})
    errors.update(custom_errors)
    return values, errors


def create_deal(data, *, actor, customer):
    """A new deal on ``customer``, first stage of the chosen (or default) pipeline, at the column's end.

    ``customer`` is None when the caller named none it may see: that is one
    more field error, reported with the others rather than before them.
    """
    values, errors = parse_deal_fields(data)
    if customer is None:
        errors["customer_id"] = [_("Choose a customer you can see.")]
    elif customer.status != "active":
        errors["customer_id"] = [_("Deals can be added once the customer has been approved.")]
    pipeline = get_pipeline(data["pipeline_id"]) if data.get("pipeline_id") else default_pipeline()
    stage = None
    if data.get("stage_id"):
        stage = get_stage(data["stage_id"])
        if stage is None or (pipeline and stage.pipeline_id != pipeline.id):
            errors["stage_id"] = [_("Choose a stage of this pipeline.")]
    elif pipeline is not None:
        stage = pipeline.stages[0]
    if pipeline is None:
        errors["pipeline_id"] = [_("Choose an existing pipeline.")]
    if errors:
        raise DealError(errors)
    deal = Deal(
        customer_id=customer.id, pipeline_id=pipeline.id, stage_id=stage.id, owner_id=actor.id,
        probability=stage.probability, position=_end_position(stage.id), **values,
    )
    db.session.add(deal)
    db.session.flush()
    db.session.add(DealStageChange(deal_id=deal.id, from_stage_id=None, to_stage_id=stage.id, moved_by_id=actor.id))
    db.session.commit()
    return deal


def move_deal(user, deal_id, stage_id, index=None, lost_reason=None):
    """Move a visible deal to ``stage_id`` at ``index`` among the visible cards there.

    Returns ``(deal, old_stage_id)``; ``None`` when the deal is not visible;
    raises DealError for a move the rules refuse. The deal row is locked so
    two simultaneous moves apply one after the other.
    """
    deal = get_visible_deal(user, deal_id, for_update=True)
    if deal is None:
        return None
    stage = get_stage(stage_id) if stage_id else None
    if stage is None or stage.pipeline_id != deal.pipeline_id:
        db.session.rollback()
        raise DealError({"stage_id": [_("Choose a stage of this deal's pipeline.")]})
    lost_reason = (lost_reason or "").strip() or None
    if stage.kind == "lost" and not lost_reason and deal.stage_id != stage.id:
        db.session.rollback()
        raise DealError({"lost_reason": [_("Give a reason for losing this deal.")]})
    old_stage_id = deal.stage_id
    deal.position = _position_at(user, stage.id, index, exclude=deal.id)
    if old_stage_id != stage.id:
        deal.stage_id = stage.id
        deal.stage_changed_at = utcnow()
        deal.probability = stage.probability
        deal.lost_reason = lost_reason if stage.kind == "lost" else None
        db.session.add(
            DealStageChange(deal_id=deal.id, from_stage_id=old_stage_id, to_stage_id=stage.id,
                            moved_by_id=user.id, lost_reason=deal.lost_reason)
        )
    db.session.commit()
    return deal, old_stage_id


def _end_position(stage_id):
    last = db.session.scalar(select(func.max(Deal.position)).where(Deal.stage_id == stage_id))
    return (last or 0) + 1024


def _position_at(user, stage_id, index, exclude):
    """A position that puts the card at ``index`` among the visible cards of the stage."""
    if index is None:
        return _end_position(stage_id)
    index = max(int(index), 0)
    neighbours = db.session.scalars(
        visible(select(Deal.position), Deal.owner_id, user)
        .where(Deal.stage_id == stage_id, Deal.id != exclude, Deal.deleted_at.is_(None))
        .order_by(Deal.position, Deal.id)
        .offset(max(index - 1, 0))
        .limit(2 if index else 1)
    ).all()
    if index == 0:
        return (neighbours[0] - 1024) if neighbours else 0
    if len(neighbours) == 2:
        return (neighbours[0] + neighbours[1]) / 2
    return (neighbours[0] + 1024) if neighbours else _end_position(stage_id)
