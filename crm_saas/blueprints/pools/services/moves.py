"""Customers into and out of pools (C11): release with a reason, claim within the limits, assign.

Every move is one commit with its change-log row and pool event. Claims
are single statements that only take customers still in the pool with no
owner, skipping rows another claim holds locked (``FOR UPDATE SKIP
LOCKED``): two reps claiming the same customer at once, exactly one gets
it and the other is told it was taken. In a pool with limits a person's
own claims are serialised on their staff row, so the daily limit and the
cap hold under concurrent requests too.
"""
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import BigInteger, any_, bindparam, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from crm_saas.blueprints.activities.models import Task
from crm_saas.blueprints.activities.services.times import day_start, local_now
from crm_saas.blueprints.customers.models import Customer, CustomerChange, TransferRequest
from crm_saas.blueprints.customers.services.changes import record_event
from crm_saas.blueprints.pools.models import Pool, PoolEvent, ProtectionRequest
from crm_saas.blueprints.pools.services import PoolConflict, PoolError, governing_pools
from crm_saas.core.audit import record
from crm_saas.core.base import utcnow
from crm_saas.core.staff import get_assignable
from crm_saas.core.users import User
from crm_saas.core.visibility import literal_ids, subtree_ids
from crm_saas.extensions import db

REASON_MAX = 500
MAX_IDS = 500
EVENT_KINDS = {"release": "release", "import": "import"}


def put_in_pool(customer, pool, *, reason, rule, actor=None):
    """Put ``customer`` into ``pool`` (no commit): pool columns set, owner cleared, logged with ``rule``.

    Works on a customer not yet flushed too (an import adding it straight
    into a pool): it is flushed once it holds its pool, as the check
    constraint wants.
    """
    previous = customer.owner
    now = utcnow()
    customer.previous_owner_id = customer.owner_id or customer.previous_owner_id
    customer.owner_id, customer.owner = None, None
    customer.pool_id, customer.pool_entered_at, customer.pool_reason, customer.pool_rule = pool.id, now, reason, rule
    customer.protected_until, customer.protection_extensions = None, 0
    if customer.id is None:
        db.session.add(customer)
    db.session.flush()
    record_event(customer, "pooled", actor=actor, reason=reason, field="owner_id",
                 old=previous.name if previous else None, new=pool.name, at=now)
    db.session.add(PoolEvent(pool_id=pool.id, customer_id=customer.id, kind=EVENT_KINDS.get(rule, "recycle"),
                             user_id=customer.previous_owner_id, actor_id=getattr(actor, "id", None), rule=rule,
                             at=now))
    return customer


def may_release(actor, customer):
    """The owner, anyone above them, and admins (who head everyone)."""
    return customer.owner_id is not None and (actor.role == "admin" or customer.owner_id in subtree_ids(actor.id))


def _ids(raw, field):
    """A non-empty list of distinct ids, in the order given; PoolError naming ``field`` otherwise."""
    if not isinstance(raw, (list, tuple)) or not raw:
        raise PoolError({field: [_("Choose at least one customer.")]})
    ids = []
    for value in raw:
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise PoolError({field: [_("Send customer ids (whole numbers).")]})
        if value not in ids:
            ids.append(value)
    if len(ids) > MAX_IDS:
        raise PoolError({field: [_("At most %(max)d customers at a time.", max=MAX_IDS)]})
    return ids


def close_open_work(customer_ids):
    """Nobody owns a pooled customer: what was still to do on it is done with, and what was asked about its
    owner (a transfer, more days) is withdrawn rather than left waiting in a queue nobody sees it in."""
    ids = literal_ids(customer_ids)
    now = utcnow()
    db.session.execute(update(Task).where(Task.customer_id == any_(ids), Task.done.is_(False))
                       .values(done=True, done_at=now))
    for model in (TransferRequest, ProtectionRequest):
        db.session.execute(update(model).where(model.customer_id == any_(ids), model.status == "pending")
                           .values(status="withdrawn", decided_at=now))


def release_customers(customer_ids, *, actor, reason, pool_id=None):
    """Give customers back to a pool with a reason, all or nothing; returns the released ids.

    Without ``pool_id`` each goes to its owner's pool (``governing_pools``).
    Raises PoolError naming ``reason``, ``pool_id`` or ``ids``.
    """
    errors = {}
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        errors["reason"] = [_("Say why the customer goes back to the pool.")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [_("Keep the reason under %(max)d characters.", max=REASON_MAX)]
    target = None
    if pool_id not in (None, ""):
        target = db.session.get(Pool, pool_id) if isinstance(pool_id, int) and not isinstance(pool_id, bool) else None
        if target is None:
            errors["pool_id"] = [_("Choose one of the company's pools.")]
    try:
        ids = _ids(customer_ids, "ids")
    except PoolError as err:
        errors.update(err.errors)
        ids = []
    if errors:
        raise PoolError(errors)
    customers = db.session.scalars(
        select(Customer).where(Customer.id == any_(literal_ids(ids)), Customer.deleted_at.is_(None))
        .order_by(Customer.id).with_for_update()
    ).all()
    if len(customers) != len(ids) or not all(may_release(actor, c) for c in customers):
        db.session.rollback()
        raise PoolError({"ids": [_("Only customers you or people below you own can be released.")]})
    governed, default = governing_pools()
    try:
        for customer in customers:
            pool = target or governed.get(customer.owner_id, default)
            owner_id = customer.owner_id
            put_in_pool(customer, pool, reason=reason, rule="release", actor=actor)
            record("customer_released", customer, actor=actor, owner_id=owner_id, pool=pool.name, reason=reason)
        close_open_work([c.id for c in customers])
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return [c.id for c in customers]


@dataclass
class ClaimResult:
    """What a claim did: ``claimed`` ids, ``refused`` ``{id: "limit"/"wait"/"taken"}``, the ``limit`` that bound."""

    claimed: list = field(default_factory=list)
    refused: dict = field(default_factory=dict)
    limit: str | None = None
    message: str = ""

    def ids(self, why):
        return [customer_id for customer_id, reason in self.refused.items() if reason == why]


def _today_start():
    return day_start(local_now().date())


def allowance(pool, user):
    """``(how many more ``user`` may claim from ``pool`` now or None for no limit, the limit that binds)``."""
    left, binding = None, None
    if pool.claim_per_day is not None:
        today = db.session.scalar(select(func.count()).select_from(PoolEvent).where(
            PoolEvent.user_id == user.id, PoolEvent.kind == "claim", PoolEvent.pool_id == pool.id,
            PoolEvent.at >= _today_start()))
        left, binding = max(pool.claim_per_day - today, 0), "claim_per_day"
    if pool.max_owned is not None:
        owned = _owned(user.id)
        room = max(pool.max_owned - owned, 0)
        if left is None or room < left:
            left, binding = room, "max_owned"
    return left, binding


def _owned(user_id):
    return db.session.scalar(select(func.count()).select_from(Customer).where(
        Customer.owner_id == user_id, Customer.deleted_at.is_(None)))


def _waiting(pool, user, ids):
    """Ids among ``ids`` that ``user`` owned before they went to the pool less than the wait ago."""
    if not pool.reclaim_wait_days:
        return set()
    since = utcnow() - timedelta(days=pool.reclaim_wait_days)
    return set(db.session.scalars(select(Customer.id).where(
        Customer.id == any_(literal_ids(ids)), Customer.pool_id == pool.id,
        Customer.previous_owner_id == user.id, Customer.pool_entered_at > since)))


def _take(pool, ids, owner, *, actor, kind, limit=None, skip_locked=True):
    """Make ``owner`` the owner of those of ``ids`` still in ``pool`` without one; the ids taken, in order.

    One statement: pick the rows (locked, skipping those another claim
    holds), set them, re-checking in the UPDATE that each is still pooled
    and ownerless, and write each one's change-log row and pool event from
    the UPDATE's RETURNING. A claim that finds nothing writes nothing.
    """
    now = utcnow()
    # A bound array (a claim names a few ids, found by primary key): the statement is compiled once and cached,
    # which is most of a claim's own time when eight people claim at once (bench/README.md, the lead pool).
    wanted = bindparam("ids", list(ids), type_=ARRAY(BigInteger))
    pick = select(Customer.id).where(
        Customer.id == any_(wanted), Customer.pool_id == pool.id, Customer.owner_id.is_(None),
        Customer.deleted_at.is_(None),
    ).order_by(func.array_position(wanted, Customer.id))
    if limit is not None:
        pick = pick.limit(limit)
    pick = pick.with_for_update(skip_locked=skip_locked).cte("pick")
    moved = (
        update(Customer).where(Customer.id == pick.c.id, Customer.pool_id == pool.id, Customer.owner_id.is_(None))
        .values(owner_id=owner.id, pool_id=None, owned_at=now, pool_entered_at=None, pool_reason=None,
                pool_rule=None, protected_until=None, protection_extensions=0, updated_at=now)
        .returning(Customer.id).cte("moved")
    )
    action = "claimed" if kind == "claim" else "assigned"
    changes = insert(CustomerChange).from_select(
        ["customer_id", "at", "actor_id", "actor_name", "action", "field", "old", "new"],
        select(moved.c.id, literal(now), literal(actor.id, BigInteger), literal(actor.name), literal(action),
               literal("owner_id"), literal(pool.name, JSONB), literal(owner.name, JSONB)),
    ).cte("changes")
    events = insert(PoolEvent).from_select(
        ["pool_id", "customer_id", "kind", "user_id", "actor_id", "at"],
        select(literal(pool.id, BigInteger), moved.c.id, literal(kind), literal(owner.id, BigInteger),
               literal(actor.id, BigInteger), literal(now)),
    ).cte("events")
    taken = db.session.execute(
        select(moved.c.id).add_cte(changes).add_cte(events), execution_options={"synchronize_session": False}
    ).scalars().all()
    order = {customer_id: i for i, customer_id in enumerate(ids)}
    return sorted(taken, key=order.get)


def claim_customers(pool, customer_ids, *, actor):
    """Claim what ``actor`` may of ``customer_ids`` from ``pool``; a ClaimResult. Stops at the first limit.

    Raises PoolConflict (409) when nothing was claimed, naming the limit or
    the customers taken; PoolError (422) for a malformed list.
    """
    ids = _ids(customer_ids, "customer_ids")
    if pool.claim_per_day is not None or pool.max_owned is not None:  # limits: one claim at a time each
        db.session.execute(select(User.id).where(User.id == actor.id).with_for_update())
    waiting = _waiting(pool, actor, ids)
    wanted = [i for i in ids if i not in waiting]
    left, binding = allowance(pool, actor)
    result = ClaimResult()
    result.refused.update({i: "wait" for i in waiting})
    if wanted and left == 0:
        result.refused.update({i: "limit" for i in wanted})
    elif wanted:
        result.claimed = _take(pool, wanted, actor, actor=actor, kind="claim", limit=left)
        stopped = left is not None and len(result.claimed) == left
        for customer_id in wanted:
            if customer_id not in result.claimed:
                still_there = stopped and _still_pooled(pool, customer_id)
                result.refused[customer_id] = "limit" if still_there else "taken"
    if "limit" in result.refused.values():
        result.limit = binding
    result.message = claim_message(pool, result)
    if not result.claimed:
        db.session.rollback()
        raise PoolConflict({"customer_ids": [result.message]}, limit=result.limit, taken=result.ids("taken"),
                           waiting=result.ids("wait"))
    record("customers_claimed", pool, actor=actor, target_type="pool", customers=len(result.claimed))
    db.session.commit()
    return result


def _still_pooled(pool, customer_id):
    return db.session.scalar(select(Customer.id).where(
        Customer.id == customer_id, Customer.pool_id == pool.id, Customer.owner_id.is_(None))) is not None


LIMIT_MESSAGES = {
    "claim_per_day": lambda pool: ngettext(
        "You have reached this pool's limit of %(num)d claim a day.",
        "You have reached this pool's limit of %(num)d claims a day.", pool.claim_per_day),
    "max_owned": lambda pool: ngettext(
        "You own as many customers as this pool allows (%(num)d).",
        "You own as many customers as this pool allows (%(num)d).", pool.max_owned),
}


def claim_message(pool, result):
    """What the person is told: how many were claimed, and what stopped the rest."""
    parts = []
    if result.claimed:
        parts.append(ngettext("%(num)d customer claimed.", "%(num)d customers claimed.", len(result.claimed)))
    if result.limit:
        parts.append(LIMIT_MESSAGES[result.limit](pool))
    taken = len(result.ids("taken"))
    if taken:
        parts.append(ngettext("%(num)d customer was taken by someone else or is no longer in the pool.",
                              "%(num)d customers were taken by someone else or are no longer in the pool.", taken))
    waiting = len(result.ids("wait"))
    if waiting:
        parts.append(ngettext(
            "You gave this customer back less than %(days)d days ago: wait before claiming it again.",
            "You gave %(num)d of these customers back less than %(days)d days ago: wait before claiming them again.",
            waiting, days=pool.reclaim_wait_days))
    return " ".join(parts)


def assign_customers(pool, customer_ids, to_user_id, *, actor):
    """Hand pooled customers to someone ``actor`` manages, all or nothing; returns the ids assigned.

    Assigning is not claiming: the daily claim limit and the previous
    owner's wait do not apply, the cap on what a person owns does.
    """
    errors = {}
    try:
        ids = _ids(customer_ids, "customer_ids")
    except PoolError as err:
        errors.update(err.errors)
        ids = []
    receiver = get_assignable(actor, to_user_id) if to_user_id not in (None, "") else None
    if receiver is None:
        errors["to"] = [_("Choose yourself or an active person below you.")]
    if errors:
        raise PoolError(errors)
    if pool.max_owned is not None and _owned(receiver.id) + len(ids) > pool.max_owned:
        raise PoolConflict({"to": [_("%(name)s would own more customers than this pool allows (%(num)d).",
                                     name=receiver.name, num=pool.max_owned)]}, limit="max_owned", taken=[])
    taken = _take(pool, ids, receiver, actor=actor, kind="assign", skip_locked=False)
    if len(taken) != len(ids):
        gone = [i for i in ids if i not in taken]
        db.session.rollback()
        raise PoolConflict({"customer_ids": [ngettext(
            "%(num)d customer is no longer in the pool: nothing was assigned.",
            "%(num)d customers are no longer in the pool: nothing was assigned.", len(gone))]},
            limit=None, taken=gone)
    record("customers_assigned", pool, actor=actor, target_type="pool", to_id=receiver.id, customers=len(taken))
    db.session.commit()
    return taken
