"""The recycle bin (C9): delete sends a customer (and its deals) out of sight; restore brings both back.

A deleted customer is hidden from every list, search, board and API call,
but stays in its table, so nothing refers to a missing row. After the
company's ``recycle_bin_days`` it is purged for good, as is anything an
admin purges by hand: then the customer, its contacts, deals, files,
change log and transfer requests are deleted, and the operation log keeps
its number and name.
"""
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.customers.services import visible_customers
from crm_saas.blueprints.customers.services.changes import record_event
from crm_saas.core import signals
from crm_saas.core.audit import record
from crm_saas.core.base import utcnow
from crm_saas.core.settings import get_setting
from crm_saas.extensions import db

PER_PAGE = 50


def delete_customer(customer, *, actor, reason=None, commit=True):
    """To the recycle bin, with the deals on it (marked with the same time, so restore takes back just those).

    ``commit=False`` leaves the commit to the caller: a bulk delete is one transaction.
    """
    now = utcnow()
    customer.deleted_at, customer.deleted_by_id = now, actor.id
    signals.customer_deleted.send(customer, at=now)
    record_event(customer, "deleted", actor=actor, reason=(reason or "").strip() or None, at=now)
    record("customer_deleted", customer, actor=actor)
    if commit:
        db.session.commit()
    return customer


def restore_customer(customer, *, actor):
    signals.customer_restored.send(customer, deleted_at=customer.deleted_at)
    customer.deleted_at, customer.deleted_by_id = None, None
    record_event(customer, "restored", actor=actor)
    record("customer_restored", customer, actor=actor)
    db.session.commit()
    return customer


def purge_customers(customer_ids, *, actor=None):
    """Delete for good, in one commit; returns how many went. Each is named in the operation log."""
    customers = db.session.scalars(select(Customer).where(Customer.id.in_(customer_ids))).all()
    if not customers:
        return 0
    ids = tuple(c.id for c in customers)
    for customer in customers:
        record("customer_purged", customer, actor=actor)
    signals.customers_purging.send(ids)  # deals and files go first: they point at the customers
    db.session.execute(delete(Customer).where(Customer.id.in_(ids)))  # contacts, changes, requests cascade
    db.session.commit()
    return len(ids)


def purge_expired(now=None):
    """Purge what has waited longer than the company keeps deleted customers; returns how many."""
    cutoff = (now or utcnow()) - timedelta(days=get_setting("recycle_bin_days"))
    ids = db.session.scalars(select(Customer.id).where(Customer.deleted_at < cutoff)).all()
    return purge_customers(ids) if ids else 0


def recycle_bin(user, page=1, per_page=PER_PAGE):
    """The deleted customers ``user`` may see, most recently deleted first; ``(rows, total)``."""
    stmt = visible_customers(user, deleted=True)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(
        stmt.options(selectinload(Customer.owner), selectinload(Customer.deleted_by), selectinload(Customer.contacts))
        .order_by(Customer.deleted_at.desc(), Customer.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return rows, total


def purge_date(customer):
    return customer.deleted_at + timedelta(days=get_setting("recycle_bin_days"))
