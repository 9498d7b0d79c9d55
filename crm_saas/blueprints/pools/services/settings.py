"""Adding pools and changing their rules, limits and members (C11): one set of checks for the page and the API.

``pool_errors`` judges data in the API's shape (the settings form posts the
same names), names every bad field, and nothing is saved unless all pass.
"""
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from crm_saas.blueprints.pools.models import Pool, PoolMember
from crm_saas.blueprints.pools.services import PoolError, may_manage_pools
from crm_saas.blueprints.pools.services.rules import clean_rules, rules_of
from crm_saas.core.audit import record
from crm_saas.core.users import User
from crm_saas.extensions import db

NAME_MAX = 100
LIMIT_MAX = 100_000
FIELDS = ("name", "admin_id", "rules", "claim_per_day", "max_owned", "reclaim_wait_days", "members")


def _count(value, field, errors, *, allow_none=True, upper=LIMIT_MAX):
    if value in (None, "") and allow_none:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= upper:
        errors[field] = [_("Enter a whole number from 0 to %(max)d, or leave it empty for no limit.", max=upper)
                         if allow_none else _("Enter a whole number from 0 to %(max)d.", max=upper)]
        return None
    return value


def _person(value, field, errors):
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    person = db.session.get(User, value) if isinstance(value, int) and not isinstance(value, bool) else None
    if person is None or not person.active:
        errors[field] = [_("Choose an active colleague.")]
        return None
    return person


def _members(raw, errors):
    """``[(user_id, subtree)]`` from ``[{"user_id", "subtree"}]`` (or bare ids)."""
    if not isinstance(raw, list):
        errors["members"] = [_("Send the members as a list.")]
        return []
    members = {}
    for i, item in enumerate(raw):
        if isinstance(item, dict):
            person = _person(item.get("user_id"), f"members.{i}.user_id", errors)
            subtree = item.get("subtree", False)
            if not isinstance(subtree, bool):
                errors[f"members.{i}.subtree"] = [_("Send true or false.")]
        else:
            person, subtree = _person(item, f"members.{i}", errors), False
        if person is not None:
            members[person.id] = bool(subtree) or members.get(person.id, False)
    return list(members.items())


def pool_errors(data, *, actor, pool=None):
    """``(values, errors)``: ``data`` checked as the pool would become (only the fields sent, on an edit)."""
    errors, values = {}, {}
    present = set(FIELDS) if pool is None else set(data) & set(FIELDS)
    if "name" in present:
        name = data.get("name").strip() if isinstance(data.get("name"), str) else ""
        if not name:
            errors["name"] = [_("Name the pool.")]
        elif len(name) > NAME_MAX:
            errors["name"] = [_("At most %(max)d characters.", max=NAME_MAX)]
        elif db.session.scalar(select(Pool.id).where(func.lower(Pool.name) == name.lower(),
                                                     Pool.id != (pool.id if pool else 0))):
            errors["name"] = [_("Another pool has this name.")]
        values["name"] = name
    if "admin_id" in present:
        if pool is not None and data.get("admin_id") != pool.admin_id and not may_manage_pools(actor):
            errors["admin_id"] = [_("Only those who manage the company's settings choose a pool's admin.")]
        elif data.get("admin_id") in (None, ""):
            values["admin_id"] = None
        else:
            person = _person(data.get("admin_id"), "admin_id", errors)
            values["admin_id"] = person.id if person else None
    if "rules" in present:
        values["rules"] = clean_rules(data.get("rules"), errors, current=rules_of(pool) if pool else None)
    for key in ("claim_per_day", "max_owned"):
        if key in present:
            values[key] = _count(data.get(key), key, errors)
    if "reclaim_wait_days" in present:
        values["reclaim_wait_days"] = _count(data.get("reclaim_wait_days") or 0, "reclaim_wait_days", errors,
                                             allow_none=False, upper=3650)
    if "members" in present:
        if pool is not None and pool.is_default and data.get("members"):
            errors["members"] = [_("Everyone belongs to the default pool: it lists no members.")]
        else:
            values["members"] = _members(data.get("members") or [], errors)
    return values, errors


def create_pool(data, *, actor):
    values, errors = pool_errors(data, actor=actor)
    if errors:
        raise PoolError(errors)
    pool = Pool(is_default=False, rules={}, reclaim_wait_days=0)
    _apply(pool, values)
    db.session.add(pool)
    db.session.flush()
    record("pool_created", pool, actor=actor, target_type="pool")
    db.session.commit()
    return pool


def update_pool(pool, data, *, actor):
    values, errors = pool_errors(data, actor=actor, pool=pool)
    if errors:
        raise PoolError(errors)
    _apply(pool, values)
    record("pool_updated", pool, actor=actor, target_type="pool", fields=sorted(values))
    db.session.commit()
    return pool


def _apply(pool, values):
    for key, value in values.items():
        if key != "members":
            setattr(pool, key, value)
    if "members" in values:
        if pool.id is not None:
            db.session.execute(delete(PoolMember).where(PoolMember.pool_id == pool.id))
            db.session.expire(pool, ["members"])
        pool.members = [PoolMember(user_id=user_id, subtree=subtree) for user_id, subtree in values["members"]]


def pool_data(pool):
    """The pool in the API's shape (API.md ``pools``)."""
    return {
        "id": pool.id, "name": pool.name, "is_default": pool.is_default, "admin_id": pool.admin_id,
        "members": [{"user_id": m.user_id, "subtree": m.subtree} for m in pool.members],
        "rules": rules_of(pool), "claim_per_day": pool.claim_per_day, "max_owned": pool.max_owned,
        "reclaim_wait_days": pool.reclaim_wait_days,
    }
