"""Departed staff (B3): disable the account and hand everything over, in one transaction.

What a person holds belongs to other features (customers, deals, open
tasks): this one asks them through ``staff_holdings_counted`` and
``staff_departed`` (crm_saas.core.signals), so a feature that adds records
people own adds its listeners and a departure can never leave records with
nobody who sees them.
"""
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from crm_saas.blueprints.auth.services import revoke_tokens
from crm_saas.blueprints.staff.services import StaffError, _last_admin
from crm_saas.core import signals
from crm_saas.core.audit import record
from crm_saas.core.base import utcnow
from crm_saas.core.users import User, new_session_token
from crm_saas.core.visibility import forget_walks
from crm_saas.extensions import db


def handover_counts(user):
    """``{kind: count}`` of what ``deactivate_staff`` would move, for the confirm page."""
    counts = signals.counts(signals.staff_holdings_counted.send(user))
    counts["subordinates"] = db.session.scalar(select(func.count()).where(User.superior_id == user.id))
    return counts


def _admin_guard(user, actor):
    """Staff managers who are not admins never act on admins (PERMISSION_HELP says so).

    Refusals about the person themselves are filed under ``id`` (API.md names
    the person so); pages show them above the form.
    """
    if user.role == "admin" and actor.role != "admin":
        return {"id": [_("Only an administrator can change administrators.")]}
    return {}


def deactivate_staff(user, handover_to_id, *, actor):
    """Disable ``user``; their records go to ``handover_to_id``, their people up to their superior.

    Returns ``{kind: count}`` of what moved. Sessions end (the cookie's
    session token is rotated) and API tokens are revoked in the same commit;
    anything failing rolls all of it back.
    """
    errors = {}
    target = db.session.get(User, handover_to_id) if handover_to_id else None
    if _admin_guard(user, actor):
        errors.update(_admin_guard(user, actor))
    elif not user.active:
        errors["id"] = [_("%(name)s is already deactivated.", name=user.name)]
    elif user.id == actor.id:
        errors["id"] = [_("You cannot deactivate yourself.")]
    elif user.role == "admin" and _last_admin(user):
        errors["id"] = [_("The company needs at least one active administrator.")]
    if target is None or not target.active or target.id == user.id:
        errors["handover_to"] = [_("Choose an active colleague to take over the records.")]
    if errors:
        raise StaffError(errors)
    try:
        moved = signals.counts(signals.staff_departed.send(user, to=target))
        subordinates = db.session.execute(
            update(User).where(User.superior_id == user.id).values(superior_id=user.superior_id)
        ).rowcount
        user.active, user.deactivated_at = False, utcnow()
        user.session_token = new_session_token()
        revoke_tokens(user)
        record("staff_deactivated", user, actor=actor, handover_to=target.id, handover_name=target.name,
               moved=moved, subordinates_moved_up=subordinates)
        db.session.commit()
        forget_walks()
    except Exception:
        db.session.rollback()
        raise
    return {**moved, "subordinates": subordinates}


def reactivate_staff(user, *, actor):
    """Let a returning person log in again; they come back with no records (those were handed over)."""
    errors = _admin_guard(user, actor)
    if errors:
        raise StaffError(errors)
    if user.active:
        raise StaffError({"id": [_("%(name)s is already active.", name=user.name)]})
    if user.superior_id and not db.session.get(User, user.superior_id).active:
        user.superior_id = None
    user.active, user.deactivated_at = True, None
    record("staff_reactivated", user, actor=actor)
    db.session.commit()
    return user
