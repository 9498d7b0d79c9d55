"""The approval queue (B4): customers entered by people without the right wait for someone above them.

An approver's queue is the pending customers they can already see under the
one visibility rule (so a supervisor reviews exactly their subtree's entries),
minus their own entries: nobody approves their own customer.
"""
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.customers.services import visible_customers
from crm_saas.blueprints.customers.services.changes import record_event
from crm_saas.blueprints.pools.services.protection import protection_queue
from crm_saas.core.audit import record
from crm_saas.core.base import utcnow
from crm_saas.core.errors import FieldErrors
from crm_saas.core.permissions import can
from crm_saas.extensions import db

QUEUE_LIMIT = 200


class ApprovalError(FieldErrors):
    """Refused decision: ``note``."""


def _queue(user):
    """The queue as a statement, or None when ``user`` holds no right to approve."""
    if not can(user, "approve_customers"):
        return None
    return visible_customers(user, shared=False).where(  # a customer shared with them is not theirs to judge
        Customer.status == "pending",
        Customer.created_by_id.is_distinct_from(user.id),
    )


def pending_for(user, limit=QUEUE_LIMIT):
    """The oldest waiting customers first: whoever waited longest is served first."""
    stmt = _queue(user)
    if stmt is None:
        return []
    return db.session.scalars(
        stmt.options(selectinload(Customer.owner), selectinload(Customer.created_by))
        .order_by(Customer.created_at, Customer.id).limit(limit)
    ).all()


def pending_count(user):
    """For the nav badge: 0 for anyone who cannot approve."""
    stmt = _queue(user)
    if stmt is None:
        return 0
    return db.session.scalar(select(func.count()).select_from(stmt.subquery()))


def pending_with_protections(user):
    """For the nav badge: new customers and protection requests (C11) waiting for ``user``, in one statement.

    Both queues need the same right, so one count of each rides in a single
    SELECT and the badge costs no more than before the pool came.
    """
    stmt = _queue(user)
    protections = protection_queue(user)
    if stmt is None or protections is None:
        return 0
    counts = [select(func.count()).select_from(q.subquery()).scalar_subquery() for q in (stmt, protections)]
    return db.session.scalar(select(counts[0] + counts[1]))


def queued_customer(user, customer_id):
    """The customer if it is in ``user``'s queue, else None (a 404: not theirs to judge).

    The row is locked, so two approvers acting at once cannot both decide:
    the second sees it is no longer pending and gets None.
    """
    stmt = _queue(user)
    if stmt is None:
        return None
    return db.session.scalar(stmt.where(Customer.id == customer_id).with_for_update(of=Customer))


def approve(customer, *, actor):
    _decide(customer, "active", None, actor)
    record_event(customer, "approved", actor=actor, field="status", old="pending", new="active")
    record("customer_approved", customer, actor=actor)
    db.session.commit()
    return customer


def reject(customer, note, *, actor):
    """A rejection says why, so the rep knows what to fix."""
    note = (note or "").strip()
    if not note:
        raise ApprovalError({"note": [_("Reason for rejection is required.")]})
    if len(note) > 300:
        raise ApprovalError({"note": [_("Reason for rejection: at most 300 characters.")]})
    _decide(customer, "rejected", note, actor)
    record_event(customer, "rejected", actor=actor, reason=note, field="status", old="pending", new="rejected")
    record("customer_rejected", customer, actor=actor, note=note)
    db.session.commit()
    return customer


def _decide(customer, status, note, actor):
    customer.status = status
    customer.reviewed_by_id = actor.id
    customer.reviewed_at = utcnow()
    customer.review_note = note
