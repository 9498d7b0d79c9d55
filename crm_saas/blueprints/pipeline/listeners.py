"""How the pipeline reacts to other features' events (crm_saas.core.signals): deals follow their customer;
and what deals announce to integrations (core/outbox.py)."""
from sqlalchemy import delete, func, select, update

from crm_saas.blueprints.pipeline.models import Deal, Stage
from crm_saas.blueprints.pipeline.services.defaults import add_default_pipeline
from crm_saas.core import outbox, signals
from crm_saas.extensions import db


def connect():
    outbox.watch(Deal, "deal", data=deal_data, events=_deal_events)
    signals.tenant_provisioned.connect(_add_default_pipeline)
    signals.staff_holdings_counted.connect(_count_held)
    signals.staff_departed.connect(_hand_over)
    signals.customer_deleted.connect(_bin_with_customer)
    signals.customer_restored.connect(_restore_with_customer)
    signals.customers_purging.connect(_purge_with_customers)
    signals.customer_transferred.connect(_follow_transfer)
    signals.customers_merged.connect(_follow_merge)


def _add_default_pipeline(session, **_):
    add_default_pipeline(session)


def _count_held(user, **_):
    return {"deals": db.session.scalar(select(func.count()).select_from(Deal).where(Deal.owner_id == user.id))}


def _hand_over(user, *, to, **_):
    return {"deals": db.session.execute(update(Deal).where(Deal.owner_id == user.id).values(owner_id=to.id)).rowcount}


def _bin_with_customer(customer, *, at, **_):
    db.session.execute(update(Deal).where(Deal.customer_id == customer.id, Deal.deleted_at.is_(None))
                       .values(deleted_at=at))


def _restore_with_customer(customer, *, deleted_at, **_):
    """Exactly the deals deleted with the customer: one binned earlier on its own stays in the bin."""
    db.session.execute(update(Deal).where(Deal.customer_id == customer.id, Deal.deleted_at == deleted_at)
                       .values(deleted_at=None))


def _purge_with_customers(customer_ids, **_):
    deal_ids = tuple(db.session.scalars(select(Deal.id).where(Deal.customer_id.in_(customer_ids))))
    signals.deals_purging.send(deal_ids)  # their files first
    db.session.execute(delete(Deal).where(Deal.id.in_(deal_ids)))


def _follow_transfer(customer, *, from_owner, to_owner, **_):
    """The old owner's deals on the customer change hands with it; a colleague's deal on it stays theirs."""
    moved = db.session.execute(
        update(Deal).where(Deal.customer_id == customer.id, Deal.owner_id == from_owner.id)
        .values(owner_id=to_owner.id)
    ).rowcount
    return {"deals": moved}


def _follow_merge(other, *, into, **_):
    return {"deals": db.session.execute(update(Deal).where(Deal.customer_id == other.id)
                                        .values(customer_id=into.id)).rowcount}


WEBHOOK_FIELDS = ("id", "name", "customer_id", "pipeline_id", "stage_id", "amount", "expected_close", "owner_id",
                  "probability", "lost_reason", "campaign_id", "stage_changed_at", "created_at", "updated_at")


def deal_data(deal):
    stage = db.session.get(Stage, deal.stage_id)
    return {**outbox.plain(deal, WEBHOOK_FIELDS), "stage": stage.name if stage else None,
            "stage_kind": stage.kind if stage else None}


def _deal_events(deal, change, changed):
    """Created; moved on any stage change, and won or lost besides when the new stage is a won or lost one."""
    if change == "created":
        return ["deal.created"]
    if "stage_id" not in changed:
        return []
    stage = db.session.get(Stage, deal.stage_id)
    kind = stage.kind if stage else "open"
    return ["deal.moved", *([f"deal.{kind}"] if kind in ("won", "lost") else [])]
