"""Handing a customer to another colleague (B4 ``transfer_customers``).

Who may transfer is the caller's business (the permission, and finding the
customer through ``get_visible_customer``, so a hidden one is a 404). This
module holds what a transfer is: the customer and the old owner's deals on
it change hands together, with the reason in the operation log, in one
commit. The receiver may be anyone active in the company: handing a
customer across teams is the point of the permission.

When transfers need approval (issue 4), the caller will file a request
instead of calling ``transfer_customer`` at once; the checks here stay the
same for both paths.
"""
from flask_babel import gettext as _
from sqlalchemy import update

from crm_saas.blueprints.audit.services import record
from crm_saas.blueprints.auth.models import User
from crm_saas.blueprints.pipeline.models import Deal
from crm_saas.errors import FieldErrors
from crm_saas.extensions import db

REASON_MAX = 500


class TransferError(FieldErrors):
    """Refused transfer: ``to`` or ``reason``."""


def _is_id(value):
    return isinstance(value, int) and not isinstance(value, bool)


def transfer_errors(customer, to_user_id):
    """``{"to": [message]}`` when ``to_user_id`` cannot receive ``customer``; empty when it can."""
    if to_user_id is None or to_user_id == "":
        return {"to": [_("Choose the colleague who takes over the customer.")]}
    target = db.session.get(User, to_user_id) if _is_id(to_user_id) else None
    if target is None or not target.active:
        return {"to": [_("Choose an active colleague to take over the customer.")]}
    if target.id == customer.owner_id:
        return {"to": [_("%(name)s already owns this customer.", name=target.name)]}
    return {}


def transfer_customer(customer, to_user_id, reason=None, *, actor):
    """Give ``customer`` to ``to_user_id``; the old owner's deals on it follow. Returns the customer.

    Deals someone else owns on this customer stay theirs: they were handed
    to that person on purpose.
    """
    errors = transfer_errors(customer, to_user_id)
    reason = (reason or "").strip() or None
    if reason and len(reason) > REASON_MAX:
        errors["reason"] = [_("Keep the reason under %(max)d characters.", max=REASON_MAX)]
    if errors:
        raise TransferError(errors)
    from_id = customer.owner_id
    try:
        deals = db.session.execute(
            update(Deal).where(Deal.customer_id == customer.id, Deal.owner_id == from_id).values(owner_id=to_user_id)
        ).rowcount
        customer.owner_id = to_user_id
        record("customer_transferred", customer, actor=actor, from_id=from_id, to_id=to_user_id, reason=reason,
               deals=deals)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return customer
