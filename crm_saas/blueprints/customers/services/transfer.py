"""Handing customers to another colleague (C8), at once or by request.

Who may transfer is the permission ``transfer_customers``. Someone without
it (a rep, by default) may still ask: the request waits for someone above
them who holds the right (``transfer_requests.py``). What a transfer is lives
here: the customer and the old owner's deals on it change hands together,
with the reason in the customer's change log and the operation log, in one
commit; its shares end. The receiver may be anyone active in the company:
handing a customer across teams is the point of the permission.
"""
from flask_babel import gettext as _
from sqlalchemy import select, update

from crm_saas.blueprints.customers.models import TransferRequest
from crm_saas.blueprints.customers.services.changes import record_event
from crm_saas.blueprints.customers.services.shares import end_shares
from crm_saas.core import signals
from crm_saas.core.audit import record
from crm_saas.core.base import utcnow
from crm_saas.core.errors import FieldErrors
from crm_saas.core.staff import NAME_ORDER
from crm_saas.core.users import User
from crm_saas.extensions import db

REASON_MAX = 500


class TransferError(FieldErrors):
    """Refused transfer: ``to`` or ``reason``."""


def _is_id(value):
    return isinstance(value, int) and not isinstance(value, bool)


def colleagues():
    """Anyone active may receive a customer: handing across teams is what a transfer is for."""
    return db.session.execute(select(User.id, User.name, User.username).where(User.active.is_(True))
                              .order_by(NAME_ORDER, User.id)).all()


def receiver_errors(to_user_id):
    """``{"to": [message]}`` unless ``to_user_id`` is an active colleague."""
    if to_user_id is None or to_user_id == "":
        return {"to": [_("Choose the colleague who takes over the customer.")]}
    target = db.session.get(User, to_user_id) if _is_id(to_user_id) else None
    if target is None or not target.active:
        return {"to": [_("Choose an active colleague to take over the customer.")]}
    return {}


def transfer_errors(customer, to_user_id):
    """``{"to": [message]}`` when ``to_user_id`` cannot receive ``customer``; empty when it can."""
    errors = receiver_errors(to_user_id)
    if not errors and to_user_id == customer.owner_id:
        name = db.session.get(User, to_user_id).name
        errors = {"to": [_("%(name)s already owns this customer.", name=name)]}
    return errors


def check_transfer(customer, to_user_id, reason):
    """The receiver and the reason, checked together; returns the cleaned reason or raises TransferError.

    ``customer=None`` checks only what a bulk transfer shares: who receives, and why.
    """
    errors = transfer_errors(customer, to_user_id) if customer is not None else receiver_errors(to_user_id)
    reason = (reason or "").strip() or None
    if reason and len(reason) > REASON_MAX:
        errors["reason"] = [_("Keep the reason under %(max)d characters.", max=REASON_MAX)]
    if errors:
        raise TransferError(errors)
    return reason


def transfer_customer(customer, to_user_id, reason=None, *, actor, commit=True):
    """Give ``customer`` to ``to_user_id``; the old owner's deals on it follow. Returns the customer.

    Deals someone else owns on this customer stay theirs: they were handed
    to that person on purpose. Requests still waiting on this customer are
    withdrawn: they asked about an owner it no longer has.
    """
    reason = check_transfer(customer, to_user_id, reason)
    from_owner = customer.owner
    to_user = db.session.get(User, to_user_id)
    try:
        moved = signals.counts(signals.customer_transferred.send(customer, from_owner=from_owner, to_owner=to_user))
        db.session.execute(
            update(TransferRequest).where(TransferRequest.customer_id == customer.id,
                                          TransferRequest.status == "pending")
            .values(status="withdrawn", decided_at=utcnow(), decided_by_id=actor.id)
        )
        customer.owner_id, customer.owned_at = to_user_id, utcnow()  # the pool rules count from here (C11)
        # Shares were the old owner's to give: the new owner starts with none (each ending is logged).
        end_shares([customer.id], actor=actor, reason=_("Transferred to %(name)s", name=to_user.name))
        record_event(customer, "transferred", actor=actor, reason=reason, field="owner_id",
                     old=from_owner.name, new=to_user.name)
        record("customer_transferred", customer, actor=actor, from_id=from_owner.id, to_id=to_user_id, reason=reason,
               deals=moved.get("deals", 0))
        if commit:
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return customer
