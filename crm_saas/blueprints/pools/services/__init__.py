"""Pools (C11): the default pool, who belongs to which pool, which pool takes an owner's customers back.

Membership is people, or people with everyone below them (``subtree``),
read against the tree as it stands, so a rep moved into a team joins its
pool without anyone editing the pool. The default pool takes everyone.

The rules that send customers back are in ``rules.py`` (and run by
``recycling.py``); releasing, claiming and assigning in ``moves.py``; the
pool's list in ``listing.py``; protection extensions in ``protection.py``.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select, text
from sqlalchemy.dialects.postgresql import insert

from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.pools.models import Pool, PoolMember
from crm_saas.core.base import utcnow
from crm_saas.core.errors import Conflict, FieldErrors
from crm_saas.core.permissions import can
from crm_saas.core.users import User
from crm_saas.core.visibility import subtree_ids
from crm_saas.extensions import db

DEFAULT_POOL_NAME = _l("Lead pool")


class PoolError(FieldErrors):
    """A refused pool action, naming the field (``reason``, ``pool_id``, ``ids``, ``customer_ids``, ``to`` ...)."""


class PoolConflict(Conflict):
    """Refused because of the pool's state: a limit reached or a customer taken (the API answers 409)."""


def default_pool(session=None):
    """The company's default pool, made on first use if the company has none (race-safe: one unique row)."""
    session = session or db.session
    found = session.scalar(select(Pool).where(Pool.is_default.is_(True)))
    if found is not None:
        return found
    session.execute(
        insert(Pool).values(name=str(DEFAULT_POOL_NAME), is_default=True, rules={}, reclaim_wait_days=0,
                            created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["is_default"], index_where=text("is_default"))
    )
    return session.scalar(select(Pool).where(Pool.is_default.is_(True)))


def ancestor_ids(user_id):
    """``user_id`` and everyone above them: whose ``subtree`` membership takes them in."""
    chain = select(User.id, User.superior_id).where(User.id == user_id).cte("chain", recursive=True)
    chain = chain.union(select(User.id, User.superior_id).join(chain, User.id == chain.c.superior_id))
    return set(db.session.scalars(select(chain.c.id)))


def _membership(user):
    """A condition on Pool: ``user`` belongs to it (the default pool takes everyone)."""
    above = ancestor_ids(user.id)
    listed = exists().where(PoolMember.pool_id == Pool.id, or_(
        PoolMember.user_id == user.id, PoolMember.subtree.is_(True) & PoolMember.user_id.in_(above)))
    return or_(Pool.is_default.is_(True), listed)


def may_manage_pools(user):
    """Adding pools and choosing their admins is company configuration."""
    return can(user, "manage_settings")


def pools_for(user):
    """The pools ``user`` sees: those they belong to or run; every pool for those who manage the settings."""
    default_pool()
    stmt = select(Pool).order_by(Pool.is_default.desc(), Pool.name, Pool.id)
    if not may_manage_pools(user):
        stmt = stmt.where(or_(_membership(user), Pool.admin_id == user.id))
    return db.session.scalars(stmt).all()


def get_pool_for(user, pool_id):
    """The pool if ``user`` may see it, else None (a 404: a pool one is not in is not confirmed)."""
    if not isinstance(pool_id, int) or isinstance(pool_id, bool):
        return None
    stmt = select(Pool).where(Pool.id == pool_id)
    if not may_manage_pools(user):
        stmt = stmt.where(or_(_membership(user), Pool.admin_id == user.id))
    return db.session.scalar(stmt)


def is_member(user, pool):
    """Members claim; the pool's admin and the company's admins may look without being members."""
    if pool.is_default:
        return True
    return db.session.scalar(select(_membership(user)).where(Pool.id == pool.id)) or False


def may_edit(user, pool):
    """Rules, limits and members are the pool admin's (and the company settings managers')."""
    return may_manage_pools(user) or (pool.admin_id is not None and pool.admin_id == user.id)


def may_assign(user, pool):
    """Supervisors hand pool customers to people below them; the pool's admin and company admins too."""
    return user.role == "admin" or pool.admin_id == user.id or len(subtree_ids(user.id)) > 1


def governing_pools():
    """``({owner id: pool}, default pool)``: which pool's rules govern each person's customers.

    A person in several pools is governed by the oldest of them that lists
    them (or their superior with ``subtree``); everyone no pool lists, by the
    default pool. The same answer says where a released customer goes.
    """
    default = default_pool()
    governed = {}
    pools = db.session.scalars(select(Pool).where(Pool.is_default.is_(False)).order_by(Pool.id)).all()
    for pool in pools:
        for member in pool.members:
            people = subtree_ids(member.user_id) if member.subtree else {member.user_id}
            for person in people:
                governed.setdefault(person, pool)
    return governed, default


def home_pool(owner_id):
    """The pool a customer of ``owner_id`` goes back to (release without a choice, the rules)."""
    governed, default = governing_pools()
    return governed.get(owner_id, default)


def member_people(pool):
    """``[(user, subtree)]`` listed in ``pool``, by name."""
    return db.session.execute(
        select(User, PoolMember.subtree).join(PoolMember, PoolMember.user_id == User.id)
        .where(PoolMember.pool_id == pool.id).order_by(User.name, User.id)
    ).all()


def pool_counts(pools):
    """``{pool id: customers in it}`` for the pools list: one GROUP BY on the pool index."""
    ids = [p.id for p in pools] or [0]
    return dict(db.session.execute(
        select(Customer.pool_id, func.count()).where(Customer.pool_id.in_(ids), Customer.deleted_at.is_(None))
        .group_by(Customer.pool_id)).all())
