"""The change log (C7): every changed field, contact and custom value, with who, when, old, new and why.

A save compares two snapshots (``snapshot`` before and after) and writes one
row per difference, all with the same ``at``, so the page can show them as
one edit. Values are kept as JSON in their stored form (codes, ids' names,
raw custom values; the campaign as its id, so an import's revert can put it
back); ``display`` turns them into words for the reader.
"""
from sqlalchemy import func, insert, literal, select

from crm_saas.blueprints.custom_fields.services import definitions
from crm_saas.blueprints.customers.models import Customer, CustomerChange
from crm_saas.core.base import utcnow
from crm_saas.extensions import db

SCALAR_FIELDS = (
    "name", "industry", "industry_note", "type", "source", "category", "size", "province", "city", "district",
    "address", "remarks", "needs", "goals", "past_dealings", "campaign_id",
)
CONTACT_FIELDS = ("name", "title", "phone", "email", "wechat", "role", "primary")
PER_PAGE = 50


def snapshot(customer):
    """What a change can touch, as plain data (contacts by id; unsaved contacts are left out)."""
    return {
        **{field: getattr(customer, field) for field in SCALAR_FIELDS},
        "tags": list(customer.tags or []),
        "custom": dict(customer.custom or {}),
        "contacts": {c.id: contact_snapshot(c) for c in customer.contacts if c.id is not None},
    }


def contact_snapshot(contact):
    return {field: getattr(contact, "is_primary" if field == "primary" else field) for field in CONTACT_FIELDS}


def diff(before, after):
    """``[(field, old, new, subject, label)]`` for every difference between two snapshots."""
    rows = [(f, before[f], after[f], None, None) for f in (*SCALAR_FIELDS, "tags") if before[f] != after[f]]
    labels = {d.key: d.label for d in definitions("customer")}
    for key in sorted(set(before["custom"]) | set(after["custom"])):
        old, new = before["custom"].get(key), after["custom"].get(key)
        if old != new:
            rows.append((f"custom.{key}", old, new, None, labels.get(key, key)))
    old_contacts, new_contacts = before["contacts"], after["contacts"]
    for cid, contact in old_contacts.items():
        if cid not in new_contacts:
            rows.append(("contact.removed", contact, None, contact["name"], None))
    for cid, contact in new_contacts.items():
        if cid not in old_contacts:
            rows.append(("contact.added", None, contact, contact["name"], None))
            continue
        for field in CONTACT_FIELDS:
            if old_contacts[cid][field] != contact[field]:
                rows.append((f"contact.{field}", old_contacts[cid][field], contact[field], contact["name"], None))
    return rows


def record_changes(customer, rows, *, actor, reason=None, action="updated", at=None):
    """Add one CustomerChange per row (no commit: it goes with the change it describes)."""
    at = at or utcnow()
    for field, old, new, subject, label in rows:
        db.session.add(CustomerChange(
            customer_id=customer.id, at=at, actor_id=getattr(actor, "id", None),
            actor_name=getattr(actor, "name", None) or "system", action=action, field=field,
            old=old, new=new, subject=(subject or None) and subject[:200], label=label and label[:100],
            reason=reason,
        ))
    return at


def record_event(customer, action, *, actor, reason=None, field=None, old=None, new=None, at=None):
    """A change that is an event rather than a field edit: created, deleted, restored, merged, transferred."""
    return record_changes(customer, [(field, old, new, None, None)], actor=actor, reason=reason, action=action, at=at)


def archive_custom_values(field, *, actor):
    """One "field deleted" row per customer holding a value of ``field``, in one INSERT ... SELECT.

    Run just before the values are stripped, in the same transaction, so
    "what did this customer's 客户级别 say before the field went" stays
    answerable. Deals have no change log yet; their count is in the
    operation log.
    """
    columns = ("customer_id", "at", "actor_id", "actor_name", "action", "field", "label", "old")
    values = select(
        Customer.id, literal(utcnow()), literal(actor.id), literal(actor.name), literal("field_deleted"),
        literal(f"custom.{field.key}"), literal(field.label), Customer.custom[field.key],
    ).where(Customer.custom.has_key(field.key))
    db.session.execute(insert(CustomerChange).from_select(columns, values))


def changes_page(customer_id, page=1, per_page=PER_PAGE):
    """Newest first; ``(rows, total)``."""
    stmt = select(CustomerChange).where(CustomerChange.customer_id == customer_id)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(
        stmt.order_by(CustomerChange.at.desc(), CustomerChange.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return rows, total
