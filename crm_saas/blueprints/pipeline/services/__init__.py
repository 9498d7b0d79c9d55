"""Pipelines, stages and finding a deal under visibility.

The rules for deals are in ``deals.py``, moves in ``moves.py``, the board's
numbers in ``board.py``.
"""
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.pipeline.models import Deal, DealStageChange, Pipeline, Stage
from crm_saas.core.visibility import visible
from crm_saas.extensions import db

# Cards sit at positions this far apart, so a drop between two takes their middle without renumbering.
GAP = 1024


def end_position(stage_id):
    """The position after the last card of a stage: where a new or moved deal goes by default."""
    last = db.session.scalar(select(func.max(Deal.position)).where(Deal.stage_id == stage_id))
    return (last or 0) + GAP


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


def visible_by_ids(user, ids):
    """The deals among ``ids`` that ``user`` may see (bulk changes: the others are simply not found)."""
    return db.session.scalars(visible_deals(user).where(Deal.id.in_(ids))).all() if ids else []


def get_visible_deal(user, deal_id, *, for_update=False):
    stmt = visible_deals(user).where(Deal.id == deal_id)
    if for_update:
        return db.session.scalar(stmt.with_for_update(of=Deal))
    return db.session.scalar(stmt.options(selectinload(Deal.stage), selectinload(Deal.customer)))


def stage_history(deal):
    """Every stage change of ``deal``, oldest first (D5)."""
    return db.session.scalars(select(DealStageChange).where(DealStageChange.deal_id == deal.id)
                              .order_by(DealStageChange.moved_at, DealStageChange.id)).all()


def customer_deals(customer, user):
    """The deals on ``customer`` that ``user`` may see (a colleague's deal on it may be hidden)."""
    return db.session.scalars(
        visible_deals(user).where(Deal.customer_id == customer.id)
        .options(selectinload(Deal.stage), selectinload(Deal.owner)).order_by(Deal.created_at.desc())
    ).all()
