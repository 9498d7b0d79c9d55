"""Transfer requests (C8): a rep asks, someone above them who holds ``transfer_customers`` decides.

An approver's queue is the requests on customers they can see under the one
visibility rule (so a supervisor decides for exactly their subtree), minus
their own requests: nobody approves their own transfer. ``transfer_or_request``
and ``transfer_many`` are what the transfer forms and the API call: a transfer
at once for holders of the right, a request for everyone else.
"""
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.customers.models import Customer, TransferRequest
from crm_saas.blueprints.customers.services import visible_customers
from crm_saas.blueprints.customers.services.changes import record_event
from crm_saas.blueprints.customers.services.transfer import TransferError, check_transfer, transfer_customer
from crm_saas.core.audit import record
from crm_saas.core.base import utcnow
from crm_saas.core.permissions import can
from crm_saas.core.users import User
from crm_saas.extensions import db

NOTE_MAX = 300


def request_transfer(customer, to_user_id, reason=None, *, actor, commit=True):
    """File a request; one may wait per customer at a time."""
    reason = check_transfer(customer, to_user_id, reason)
    waiting = db.session.scalar(select(TransferRequest.id).where(
        TransferRequest.customer_id == customer.id, TransferRequest.status == "pending"))
    if waiting:
        raise TransferError({"to": [_("A transfer of this customer is already waiting for approval.")]})
    request = TransferRequest(customer_id=customer.id, from_owner_id=customer.owner_id, to_user_id=to_user_id,
                              reason=reason, requested_by_id=actor.id)
    db.session.add(request)
    to_user = db.session.get(User, to_user_id)
    record_event(customer, "transfer_requested", actor=actor, reason=reason, field="owner_id",
                 old=customer.owner.name, new=to_user.name)
    record("transfer_requested", customer, actor=actor, to_id=to_user_id, reason=reason)
    if commit:
        db.session.commit()
    return request


def _queue(user):
    if not can(user, "transfer_customers"):
        return None
    customers = visible_customers(user, shared=False).with_only_columns(Customer.id)  # a share decides nothing
    return select(TransferRequest).where(
        TransferRequest.status == "pending", TransferRequest.customer_id.in_(customers),
        TransferRequest.requested_by_id != user.id,
    )


def pending_transfers_for(user, limit=200):
    stmt = _queue(user)
    if stmt is None:
        return []
    return db.session.scalars(stmt.options(
        selectinload(TransferRequest.customer), selectinload(TransferRequest.to_user),
        selectinload(TransferRequest.from_owner), selectinload(TransferRequest.requested_by),
    ).order_by(TransferRequest.created_at, TransferRequest.id).limit(limit)).all()


def pending_transfer_count(user):
    stmt = _queue(user)
    return 0 if stmt is None else db.session.scalar(select(func.count()).select_from(stmt.subquery()))


def queued_request(user, request_id):
    """The request if it waits in ``user``'s queue, locked so two approvers cannot both decide; else None."""
    stmt = _queue(user)
    if stmt is None:
        return None
    return db.session.scalar(stmt.where(TransferRequest.id == request_id).with_for_update(of=TransferRequest))


def approve_transfer(request, *, actor):
    """Carry the transfer out as asked, then mark the request approved, in one commit."""
    customer = request.customer
    _decide(request, "approved", None, actor)
    # Flushed as approved before transfer_customer withdraws whatever else still waits on this customer.
    transfer_customer(customer, request.to_user_id, request.reason, actor=actor, commit=False)
    db.session.commit()
    return request


def reject_transfer(request, note, *, actor):
    note = (note or "").strip()
    if not note:
        raise TransferError({"note": [_("Reason for rejection is required.")]})
    if len(note) > NOTE_MAX:
        raise TransferError({"note": [_("Reason for rejection: at most %(max)d characters.", max=NOTE_MAX)]})
    _decide(request, "rejected", note, actor)
    record_event(request.customer, "transfer_rejected", actor=actor, reason=note, field="owner_id",
                 new=request.to_user.name)
    record("transfer_rejected", request.customer, actor=actor, to_id=request.to_user_id, note=note)
    db.session.commit()
    return request


def _decide(request, status, note, actor):
    request.status, request.note = status, note
    request.decided_by_id, request.decided_at = actor.id, utcnow()


def transfer_or_request(customer, to_user_id, reason=None, *, actor, commit=True):
    """``("done", customer)`` for holders of the right, else ``("pending", request)`` for their superiors."""
    if can(actor, "transfer_customers"):
        return "done", transfer_customer(customer, to_user_id, reason, actor=actor, commit=commit)
    return "pending", request_transfer(customer, to_user_id, reason, actor=actor, commit=commit)


def transfer_many(customers, to_user_id, reason=None, *, actor):
    """Bulk transfer (C8): all or nothing, in one commit; returns ``{"done": n, "pending": n}``.

    A customer the receiver already owns is skipped rather than failing the
    batch: "give all of these to Li" is met when Li has them.
    """
    counts = {"done": 0, "pending": 0, "skipped": 0}
    check_transfer(None, to_user_id, reason)
    try:
        for customer in customers:
            if customer.owner_id == to_user_id:
                counts["skipped"] += 1
                continue
            outcome, _result = transfer_or_request(customer, to_user_id, reason, actor=actor, commit=False)
            counts[outcome] += 1
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return counts
