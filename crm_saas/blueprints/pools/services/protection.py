"""Protection extensions (C11, WukongCRM practice): an owner asks for more days before the pool may take a
customer back; someone above them approves in the approval queue; at most the pool's ``max_extensions``
times per ownership.

An approved extension pushes the customer's run-out ``days`` later than it
stands (``protected_until``), so every clock waits. The queue is built like
the transfer requests': requests on customers the approver sees under the
one visibility rule, minus their own, for holders of ``approve_customers``.
"""
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.customers.services import visible_customers
from crm_saas.blueprints.customers.services.changes import record_event
from crm_saas.blueprints.pools.models import ProtectionRequest
from crm_saas.blueprints.pools.services import PoolError, home_pool
from crm_saas.blueprints.pools.services.recycling import due_of
from crm_saas.blueprints.pools.services.rules import rules_of
from crm_saas.core.audit import record
from crm_saas.core.base import utcnow
from crm_saas.core.permissions import can
from crm_saas.extensions import db

MAX_DAYS = 90
REASON_MAX = 500
NOTE_MAX = 300


def extensions_left(customer, pool=None):
    """How many more extensions this ownership of ``customer`` may be granted (waiting requests count)."""
    pool = pool or home_pool(customer.owner_id)
    waiting = db.session.scalar(select(func.count()).select_from(ProtectionRequest).where(
        ProtectionRequest.customer_id == customer.id, ProtectionRequest.status == "pending"))
    return max(rules_of(pool)["max_extensions"] - (customer.protection_extensions or 0) - waiting, 0)


def request_errors(customer, days, reason, *, actor):
    errors = {}
    if customer.owner_id != actor.id:
        errors["customer_id"] = [_("Only the customer's owner asks for more days.")]
    if isinstance(days, str) and days.strip().isdigit():
        days = int(days.strip())
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        errors["days"] = [_("Ask for 1 to %(max)d days.", max=MAX_DAYS)]
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        errors["reason"] = [_("Say why you need more days.")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [_("Keep the reason under %(max)d characters.", max=REASON_MAX)]
    if not errors:
        pool = home_pool(customer.owner_id)
        if db.session.scalar(select(ProtectionRequest.id).where(
                ProtectionRequest.customer_id == customer.id, ProtectionRequest.status == "pending")):
            errors["days"] = [_("A request for this customer is already waiting for approval.")]
        elif extensions_left(customer, pool) == 0:
            limit = rules_of(pool)["max_extensions"]
            errors["days"] = [ngettext("This customer has had its %(num)d extension.",
                                       "This customer has had all %(num)d extensions it may have.", limit)]
    return days, reason, errors


def request_protection(customer, days, reason, *, actor):
    """File a request (202 in the API); an admin, whom nobody is above, is granted it at once."""
    days, reason, errors = request_errors(customer, days, reason, actor=actor)
    if errors:
        raise PoolError(errors)
    request = ProtectionRequest(customer_id=customer.id, requested_by_id=actor.id, days=days, reason=reason)
    db.session.add(request)
    record_event(customer, "protection_requested", actor=actor, reason=reason, field="protected_until", new=days)
    if actor.role == "admin":
        db.session.flush()
        _grant(request, actor)
    db.session.commit()
    return request


def protection_queue(user):
    """The requests waiting for ``user``'s decision, as a statement (None without the right to approve)."""
    if not can(user, "approve_customers"):
        return None
    customers = visible_customers(user, shared=False).with_only_columns(Customer.id)  # theirs to judge
    return select(ProtectionRequest).where(
        ProtectionRequest.status == "pending", ProtectionRequest.customer_id.in_(customers),
        ProtectionRequest.requested_by_id != user.id,
    )


def pending_protections_for(user, limit=200):
    stmt = protection_queue(user)
    if stmt is None:
        return []
    return db.session.scalars(stmt.options(
        selectinload(ProtectionRequest.customer), selectinload(ProtectionRequest.requested_by),
    ).order_by(ProtectionRequest.created_at, ProtectionRequest.id).limit(limit)).all()


def pending_protection_count(user):
    stmt = protection_queue(user)
    return 0 if stmt is None else db.session.scalar(select(func.count()).select_from(stmt.subquery()))


def queued_protection(user, request_id):
    """The request if it waits in ``user``'s queue, locked so two approvers cannot both decide; else None."""
    stmt = protection_queue(user)
    if stmt is None:
        return None
    return db.session.scalar(stmt.where(ProtectionRequest.id == request_id).with_for_update(of=ProtectionRequest))


def _grant(request, actor):
    """Push the customer's run-out ``days`` later than it stands now; count the extension."""
    customer = request.customer or db.session.get(Customer, request.customer_id)
    pool = home_pool(customer.owner_id)
    if (customer.protection_extensions or 0) >= rules_of(pool)["max_extensions"]:
        raise PoolError({"days": [_("This customer has had all the extensions it may have.")]})
    now = utcnow()
    due = due_of(customer.id, pool)
    start = max(filter(None, (now, due, customer.protected_until)))
    customer.protected_until = start + timedelta(days=request.days)
    customer.protection_extensions = (customer.protection_extensions or 0) + 1
    request.status, request.decided_by_id, request.decided_at = "approved", actor.id, now
    record_event(customer, "protection_extended", actor=actor, reason=request.reason, field="protected_until",
                 new=customer.protected_until.isoformat())
    record("protection_extended", customer, actor=actor, days=request.days, requested_by=request.requested_by_id)


def approve_protection(request, *, actor):
    _grant(request, actor)
    db.session.commit()
    return request


def reject_protection(request, note, *, actor):
    note = (note or "").strip()
    if not note:
        raise PoolError({"note": [_("Reason for rejection is required.")]})
    if len(note) > NOTE_MAX:
        raise PoolError({"note": [_("Reason for rejection: at most %(max)d characters.", max=NOTE_MAX)]})
    request.status, request.note, request.decided_by_id, request.decided_at = "rejected", note, actor.id, utcnow()
    record_event(request.customer, "protection_rejected", actor=actor, reason=note, field="protected_until",
                 new=request.days)
    db.session.commit()
    return request
