"""The pools' scheduled work in one company (C11): warn owners, then take back what is due.

Per pool, the customers its rules govern (``governing_pools``) are moved
by one ``UPDATE ... WHERE <a clock ran out> ... RETURNING``, with the change
log and the pool events written by the same statement. The WHERE holds the
whole rule, so a row that changed while the job ran (a follow-up saved, a
transfer) is judged again as it now stands: PostgreSQL re-checks a locked
row's WHERE against its newest version, and a follow-up saved since the
job started is refused outright (``last_follow_up_at < started``). A
customer is never taken from under an owner who just called them.
"""
import logging

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import BigInteger, and_, any_, cast, func, insert, literal, not_, null, or_, select, update
from sqlalchemy.dialects.postgresql import JSONB

from crm_saas.blueprints.activities.models import Task
from crm_saas.blueprints.activities.services.times import company_tz
from crm_saas.blueprints.customers.models import Customer, CustomerChange
from crm_saas.blueprints.pools.models import PoolEvent
from crm_saas.blueprints.pools.services import governing_pools
from crm_saas.blueprints.pools.services.moves import close_open_work
from crm_saas.blueprints.pools.services.rules import due_at, due_dates, exemptions, fired_rule, rules_of
from crm_saas.core.base import utcnow
from crm_saas.core.users import User
from crm_saas.core.visibility import literal_ids
from crm_saas.extensions import db

log = logging.getLogger("crm_saas.jobs")
WARN_TITLE_MAX = 200


def governed(now=None):
    """``[(pool, rules, owner ids)]``: each pool with running clocks and the people whose customers it governs."""
    people, default = governing_pools()
    everyone = set(db.session.scalars(select(User.id)))
    by_pool = {}
    for person in everyone:
        pool = people.get(person, default)
        by_pool.setdefault(pool.id, (pool, set()))[1].add(person)
    found = []
    for pool, owners in by_pool.values():
        rules = rules_of(pool)
        if due_dates(rules) and owners:
            found.append((pool, rules, sorted(owners)))
    return found


def _candidates(rules, owners):
    """Owned, live, active customers of ``owners`` that the rules may take back at all."""
    return and_(Customer.owner_id == any_(literal_ids(owners)), Customer.pool_id.is_(None),
                Customer.deleted_at.is_(None), Customer.status == "active", *exemptions(rules))


def recycle_pool(pool, rules, owners, *, now, started):
    """Move every customer of ``owners`` whose clock ran out into ``pool``; returns the moved ids.

    One statement: the UPDATE (re-checking the rule on each row it locks)
    and, fed by its RETURNING, the change-log rows and the pool events.
    """
    rule, reason = fired_rule(rules, now)
    followed_up_before = or_(Customer.last_follow_up_at.is_(None), Customer.last_follow_up_at < started)
    due = due_at(rules)
    moved = (
        update(Customer)
        .where(_candidates(rules, owners), due <= now, followed_up_before,
               or_(Customer.protected_until.is_(None), Customer.protected_until <= now))
        .values(owner_id=None, pool_id=pool.id, previous_owner_id=Customer.owner_id, pool_entered_at=now,
                pool_rule=rule, pool_reason=reason, protected_until=None, protection_extensions=0, updated_at=now)
        .returning(Customer.id, Customer.previous_owner_id, Customer.pool_rule, Customer.pool_reason)
        .cte("moved")
    )
    owner = User.__table__.alias("previous_owner")
    changes = insert(CustomerChange).from_select(
        ["customer_id", "at", "actor_id", "actor_name", "action", "field", "old", "new", "reason"],
        select(moved.c.id, literal(now), cast(null(), BigInteger), literal("system"), literal("pooled"),
               literal("owner_id"), func.to_jsonb(owner.c.name), literal(pool.name, JSONB), moved.c.pool_reason)
        .select_from(moved.join(owner, owner.c.id == moved.c.previous_owner_id)),
    ).cte("changes")
    events = insert(PoolEvent).from_select(
        ["pool_id", "customer_id", "kind", "user_id", "rule", "at"],
        select(literal(pool.id), moved.c.id, literal("recycle"), moved.c.previous_owner_id, moved.c.pool_rule,
               literal(now)).select_from(moved),
    ).cte("events")
    ids = db.session.execute(
        select(moved.c.id).add_cte(changes).add_cte(events), execution_options={"synchronize_session": False}
    ).scalars().all()
    if ids:
        close_open_work(ids)
    return ids


def warn_pool(pool, rules, owners, *, now):
    """A task (and so the bell) for each owner whose customer goes back within the pool's warning days.

    Once per run-out: a warning given since the warning window opened is
    not repeated; a follow-up moves the run-out later, and the next window
    warns again.
    """
    warn_days = rules.get("warn_days") or 0
    due = due_at(rules)
    if not warn_days or due is None:
        return 0
    opens = due - func.make_interval(0, 0, 0, warn_days)
    warned = select(PoolEvent.id).where(PoolEvent.customer_id == Customer.id, PoolEvent.kind == "warn",
                                        PoolEvent.at >= opens).exists()
    rows = db.session.execute(
        select(Customer.id, Customer.name, Customer.owner_id, User.locale, due.label("due"))
        .join(User, User.id == Customer.owner_id)
        .where(_candidates(rules, owners), due > now, opens <= now, not_(warned))
        .order_by(Customer.id)
    ).all()
    default_locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    for customer_id, name, owner_id, locale, due_time in rows:
        with force_locale(locale or default_locale):  # in the owner's language, as their reminders are
            title = _("%(name)s goes back to the pool on %(date)s unless followed up", name=name,
                      date=due_time.astimezone(company_tz()).date().isoformat())
        db.session.add(Task(title=title[:WARN_TITLE_MAX], due_at=now, customer_id=customer_id,
                            assignee_id=owner_id))
        db.session.add(PoolEvent(pool_id=pool.id, customer_id=customer_id, kind="warn", user_id=owner_id, at=now))
    return len(rows)


def run_pools(now=None):
    """Warn, then take back, in every pool of the bound company; ``{"warned": n, "recycled": n}``.

    Each pool commits on its own, so a failure leaves the others done and
    a second run finds nothing more to do.
    """
    started = utcnow()
    now = now or started
    totals = {"warned": 0, "recycled": 0}
    for pool, rules, owners in governed(now):
        try:
            totals["warned"] += warn_pool(pool, rules, owners, now=now)
            totals["recycled"] += len(recycle_pool(pool, rules, owners, now=now, started=started))
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("pool job failed", extra={"pool_id": pool.id})
            raise
    return totals


def due_of(customer_id, pool):
    """When ``customer_id`` would go back to ``pool`` by its rules (None when no clock runs or it is exempt)."""
    rules = rules_of(pool)
    due = due_at(rules)
    if due is None:
        return None
    conditions = [Customer.id == customer_id, *exemptions(rules)]
    return db.session.scalar(select(due).where(*conditions))
