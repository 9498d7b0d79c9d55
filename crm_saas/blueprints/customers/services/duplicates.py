"""Duplicates (C10): warn on entry, list likely duplicates, merge two customers into one.

"Likely duplicate" means the same folded name or the same folded phone number
(``keys.py``), looked up by index. On entry the warning lists the matches the
user may see and only counts the others: a rep learns that a colleague
already has "上海远航" without learning who it is or their numbers.
"""
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.customers.models import Contact, Customer, CustomerChange, TransferRequest
from crm_saas.blueprints.customers.services import visible_customers
from crm_saas.blueprints.customers.services.changes import SCALAR_FIELDS, diff, record_changes, record_event, snapshot
from crm_saas.blueprints.customers.services.keys import name_key, phone_key
from crm_saas.blueprints.customers.services.shares import access_of
from crm_saas.core import signals
from crm_saas.core.audit import record
from crm_saas.core.base import utcnow
from crm_saas.core.errors import FieldErrors
from crm_saas.core.permissions import can
from crm_saas.core.visibility import visible
from crm_saas.extensions import db

GROUPS_LIMIT = 100


class MergeError(FieldErrors):
    """A refused merge (``other``, ``keep``)."""


def _matching(data, exclude_id=None):
    """Customers in use whose folded name, or any contact's folded phone, equals one in ``data``."""
    key = name_key(data.get("name") if isinstance(data.get("name"), str) else "")
    phones = {phone_key(c.get("phone")) for c in data.get("contacts") or () if isinstance(c, dict)
              and isinstance(c.get("phone"), str)} - {None}
    conditions = []
    if key:
        conditions.append(Customer.name_key == key)
    if phones:
        conditions.append(Customer.id.in_(select(Contact.customer_id).where(Contact.phone_key.in_(phones))))
    if not conditions:
        return None
    stmt = select(Customer).where(Customer.deleted_at.is_(None), or_(*conditions))
    return stmt.where(Customer.id != exclude_id) if exclude_id else stmt


def find_matches(data, *, user, exclude_id=None, limit=20):
    """``(visible matches, how many others exist)`` for a customer about to be saved."""
    stmt = _matching(data, exclude_id)
    if stmt is None:
        return [], 0
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    if not total:
        return [], 0
    # A pooled customer (no owner, C11) is counted with the hidden ones: it is reached through its pool.
    seen_stmt = visible(stmt.where(Customer.pool_id.is_(None)), Customer.owner_id, user)
    seen = db.session.scalars(seen_stmt.options(selectinload(Customer.owner), selectinload(Customer.contacts))
                              .order_by(Customer.id).limit(limit)).all()
    seen_total = db.session.scalar(select(func.count()).select_from(seen_stmt.subquery()))
    return seen, total - seen_total


def duplicate_groups(user, limit=GROUPS_LIMIT):
    """Groups of visible customers sharing a folded name or phone: ``[(reason, customers)]``."""
    mine = visible_customers(user).with_only_columns(Customer.id, Customer.name_key).subquery()
    by_name = db.session.execute(
        select(func.array_agg(mine.c.id)).where(mine.c.name_key.is_not(None))
        .group_by(mine.c.name_key).having(func.count() > 1).limit(limit)
    ).scalars().all()
    by_phone = db.session.execute(
        select(func.array_agg(func.distinct(Contact.customer_id)))
        .join(mine, mine.c.id == Contact.customer_id).where(Contact.phone_key.is_not(None))
        .group_by(Contact.phone_key).having(func.count(func.distinct(Contact.customer_id)) > 1).limit(limit)
    ).scalars().all()
    groups = [("name", sorted(ids)) for ids in by_name] + [("phone", sorted(ids)) for ids in by_phone]
    groups = list({tuple(ids): (reason, ids) for reason, ids in groups}.values())[:limit]
    wanted = {i for _, ids in groups for i in ids}
    customers = {c.id: c for c in db.session.scalars(
        select(Customer).where(Customer.id.in_(wanted))
        .options(selectinload(Customer.owner), selectinload(Customer.contacts)))}
    return [(reason, [customers[i] for i in ids]) for reason, ids in groups]


def merge_errors(keep, other, actor):
    if keep.id == other.id:
        return {"other": [_("Choose two different customers to merge.")]}
    shared = next((c for c in (keep, other) if access_of(actor, c) != "full"), None)
    if shared is not None:  # a merge deletes one of them: never on a share's say-so
        return {"other": [_("%(name)s is shared with you: only its owner and those above them may merge it.",
                            name=shared.name)]}
    if not can(actor, "delete_customers"):
        return {"other": [_("Merging removes a customer: it needs the right to delete customers.")]}
    if keep.owner_id != other.owner_id and not can(actor, "transfer_customers"):
        return {"other": [_("These customers have different owners: merging them needs the right to "
                            "transfer customers.")]}
    return {}


def merge_customers(keep, other, *, actor, take=(), reason=None):
    """Fold ``other`` into ``keep`` in one commit; ``other`` is gone afterwards. Returns ``keep``.

    ``take`` names the fields whose value comes from ``other``; empty fields
    of ``keep`` are filled from ``other`` anyway, tags and custom values are
    combined. Every contact, deal, follow-up, task, file, change-log entry
    and transfer request of ``other`` moves to ``keep``; its contacts stay secondary. The
    merge itself is logged on ``keep`` with ``other``'s number and name, and
    each field that changed on ``keep`` is logged as usual.
    """
    errors = merge_errors(keep, other, actor)
    if errors:
        raise MergeError(errors)
    before, now = snapshot(keep), utcnow()
    for field in SCALAR_FIELDS:
        mine, theirs = getattr(keep, field), getattr(other, field)
        if theirs is not None and (field in take or mine is None):
            setattr(keep, field, theirs)
    keep.name_key = name_key(keep.name)
    keep.tags = list(dict.fromkeys([*(keep.tags or []), *(other.tags or [])]))
    keep.custom = {**(other.custom or {}), **(keep.custom or {}),
                   **{k: v for k, v in (other.custom or {}).items() if f"custom.{k}" in take}}
    for contact in list(other.contacts):
        contact.is_primary = False
        other.contacts.remove(contact)
        keep.contacts.append(contact)
    moved = signals.counts(signals.customers_merged.send(other, into=keep))  # deals, files, follow-ups, tasks
    db.session.execute(update(CustomerChange).where(CustomerChange.customer_id == other.id)
                       .values(customer_id=keep.id))  # the history comes along
    db.session.execute(update(TransferRequest).where(TransferRequest.customer_id == other.id)
                       .values(customer_id=keep.id))
    db.session.flush()
    rows = diff(before, snapshot(keep))
    record_changes(keep, rows, actor=actor, reason=reason, action="merged", at=now)
    record_event(keep, "merged", actor=actor, reason=reason, at=now, field="merged_from",
                 old={"id": other.id, "number": other.number, "name": other.name, "owner": other.owner.name})
    record("customers_merged", keep, actor=actor, merged_number=other.number, merged_name=other.name, **moved)
    db.session.delete(other)
    db.session.commit()
    return keep
