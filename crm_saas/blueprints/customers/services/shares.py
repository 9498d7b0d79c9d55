"""Shares (I2): a customer lent to one colleague outside its owner's chain, read-only or editable, for a while.

A share is one branch of the one visibility rule (``share_clause``, handed to
``core.visibility.visible`` by ``visible_customers``), so the colleague finds
the customer in their list, search, detail page, API and exports, and nobody
else does. What they may do there is ``access_of``:

- ``full``: the hierarchy (owner, above the owner, see-all roles): everything;
- ``edit``: a share to edit: the customer's fields and contacts, not transfer,
  delete or release (those change whose it is, which stays its owner's call);
- ``read``: a share to read: open and read, nothing more.

Contacts stay masked for a shared colleague (C12 names only the owner and the
owner's superiors as readers of numbers; a share lends the customer, not its
people's phone numbers). A share counts through its ``until`` day (company
time, read at query time, nothing to sweep) and ends outright, logged in the
customer's change log, when the customer changes hands (``end_shares`` from
a transfer or a departure) or the colleague departs.
"""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, g, has_request_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import any_, delete, or_, select
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.customers.models import Customer, CustomerShare
from crm_saas.blueprints.customers.services.changes import record_changes
from crm_saas.core.audit import record
from crm_saas.core.base import utcnow
from crm_saas.core.errors import FieldErrors
from crm_saas.core.permissions import can
from crm_saas.core.users import User
from crm_saas.core.visibility import literal_ids, subtree_ids
from crm_saas.extensions import db

ACCESS = ("read", "edit")
ACCESS_LABELS = {"read": _l("Read only"), "edit": _l("Can edit")}
_RANK = {None: 0, "read": 1, "edit": 2, "full": 3}


class ShareError(FieldErrors):
    """Refused share: ``user_id``, ``access`` or ``until`` (or ``id`` for the customer itself)."""


class AccessRefused(FieldErrors):
    """The customer is visible but this action is not the caller's to take (403 in the API, a page in the UI)."""


def company_today():
    """Today in the company's zone: a share "until 12-31" counts through that whole day in China."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def live_shares(user):
    """``{customer id: access}`` of the shares ``user`` holds today; asked once per request and person."""
    cache = g.setdefault("live_shares", {}) if has_request_context() else {}
    if user.id not in cache:
        cache[user.id] = dict(db.session.execute(
            select(CustomerShare.customer_id, CustomerShare.access)
            .join(Customer, Customer.id == CustomerShare.customer_id)
            .where(CustomerShare.user_id == user.id, current_holder_gave(), *live_until(company_today()))
        ).all())
    return cache[user.id]


def live_until(today):
    return (or_(CustomerShare.until.is_(None), CustomerShare.until >= today),)


def current_holder_gave():
    """Only shares made since the customer's current owner got it count.

    Transfers and departures delete shares outright (``end_shares``); a
    customer that went to the pool and was claimed by someone else (C11) gets
    a new ``owned_at``, and this keeps any share from before out of sight,
    whichever path moved it.
    """
    return or_(Customer.owned_at.is_(None), CustomerShare.created_at >= Customer.owned_at)


def forget_shares():
    if has_request_context():
        g.pop("live_shares", None)


def share_clause(user):
    """The share branch of the visibility rule for customers: their id among ``user``'s live shares, or None.

    The ids go in as a literal array, as the owner branch's do (visibility.py):
    both arms are index conditions, and someone with no shares (most people)
    gets no extra arm at all.
    """
    if can(user, "see_all"):
        return None
    ids = live_shares(user)
    return Customer.id == any_(literal_ids(ids)) if ids else None


def through_hierarchy(user, customer):
    """Whether ``user`` sees ``customer`` without any share: its owner, above its owner, or a see-all role."""
    return can(user, "see_all") or customer.owner_id in subtree_ids(user.id)


def access_of(user, customer):
    """``"full"``, ``"edit"``, ``"read"`` or None (not visible): what ``user`` may do with ``customer``."""
    if through_hierarchy(user, customer):
        return "full"
    return live_shares(user).get(customer.id)


def shared_access(user, customer):
    """The API's ``shared``: the caller's access when it comes from a share, else None."""
    return None if through_hierarchy(user, customer) else live_shares(user).get(customer.id)


def reaches(access, needed):
    """Whether ``access`` (from ``access_of``) allows what needs ``needed`` ("read", "edit" or "full")."""
    return _RANK[access] >= _RANK[needed]


def require_access(user, customer, needed):
    """Raise ``AccessRefused`` naming why, unless ``user``'s access to ``customer`` reaches ``needed``."""
    access = access_of(user, customer)
    if reaches(access, needed):
        return
    if access == "read":
        message = _("%(name)s is shared with you to read only: ask its owner for edit access.", name=customer.name)
    else:
        message = _("%(name)s is shared with you: only its owner and those above them may do this.",
                    name=customer.name)
    raise AccessRefused({"id": [message]})


def read_only_refusal(user, customer):
    """Why ``user`` may not add to ``customer`` (a follow-up, a task, a deal, a file), or None.

    A share to read lends the customer to look at: what hangs on it is the
    owner's work and an editing colleague's, so the other features ask this
    before they add anything to a customer.
    """
    if access_of(user, customer) == "read":
        return _("%(name)s is shared with you to read only: ask its owner for edit access.", name=customer.name)
    return None


def may_share(user, customer):
    """The owner, those above the owner, and admins decide who else sees a customer."""
    return user.role == "admin" or customer.owner_id in subtree_ids(user.id)


def share_refusal(customer):
    return _("Only the owner of %(name)s, those above them and administrators may share it.", name=customer.name)


def shares_of(customer):
    """Every share of ``customer`` made since its owner got it, live or past its day, with the colleagues."""
    return db.session.scalars(
        select(CustomerShare).join(Customer, Customer.id == CustomerShare.customer_id)
        .where(CustomerShare.customer_id == customer.id, current_holder_gave())
        .options(selectinload(CustomerShare.user)).order_by(CustomerShare.created_at, CustomerShare.id)
    ).all()


def is_live(share, today=None):
    return share.until is None or share.until >= (today or company_today())


def share_errors(customer, user_id, access, until, *, actor):
    """``(errors, colleague, until as a date)``: every rule a share would break, each by its field."""
    errors = {}
    if not may_share(actor, customer):
        errors["id"] = [share_refusal(customer)]
    colleague = db.session.get(User, user_id) if isinstance(user_id, int) and not isinstance(user_id, bool) else None
    if colleague is None or not colleague.active:
        errors["user_id"] = [_("Choose an active colleague to share the customer with.")]
    elif through_hierarchy(colleague, customer):
        errors["user_id"] = [_("%(name)s already sees this customer.", name=colleague.name)]
    if access not in ACCESS:
        errors["access"] = [_("Choose read only or can edit.")]
    day = _as_day(until)
    if day is False:
        errors["until"] = [_("Enter a date as YYYY-MM-DD.")]
    elif day is not None and day < company_today():
        errors["until"] = [_("Choose today or a later day, or leave it empty for no end.")]
    return errors, colleague, day or None


def share_customers(customers, user_id, access, until=None, *, actor, commit=True):
    """Share each of ``customers`` with ``user_id``: all or nothing; returns the shares.

    Sharing again with the same colleague replaces their access and end day.
    Each share is logged in its customer's change log and the operation log.
    """
    errors = {}
    colleague = day = None
    for customer in customers:
        found, colleague, day = share_errors(customer, user_id, access, until, actor=actor)
        for field, messages in found.items():
            errors.setdefault(field, [])
            errors[field] += [m for m in messages if m not in errors[field]]
    if errors:
        raise ShareError(errors)
    existing = {s.customer_id: s for s in db.session.scalars(select(CustomerShare).where(
        CustomerShare.user_id == colleague.id, CustomerShare.customer_id.in_([c.id for c in customers])))}
    shares = []
    for customer in customers:
        share = existing.get(customer.id)
        before = share.access if share is not None and is_live(share) else None
        if share is None:
            share = CustomerShare(customer_id=customer.id, user_id=colleague.id)
            db.session.add(share)
        share.access, share.until, share.created_by_id, share.created_at = access, day, actor.id, utcnow()
        _log(customer, "shared", before, access, colleague, actor, until=day)
        shares.append(share)
    db.session.flush()
    forget_shares()
    if commit:
        db.session.commit()
    return shares


def share_customer(customer, user_id, access, until=None, *, actor):
    return share_customers([customer], user_id, access, until, actor=actor)[0]


def unshare(customer, share, *, actor):
    """Stop sharing: the owner's side (``may_share``) removes anyone's share, the colleague may drop their own."""
    if not may_share(actor, customer) and share.user_id != actor.id:
        raise ShareError({"id": [share_refusal(customer)]})
    _log(customer, "unshared", share.access, None, share.user, actor)
    db.session.delete(share)
    db.session.commit()
    forget_shares()


def end_shares(customer_ids=None, *, user_id=None, actor=None, reason=None):
    """Delete the shares of ``customer_ids`` (changing hands) or held by ``user_id`` (departing), logged; no commit.

    Returns how many ended. A share past its day is removed without a log
    line: it had already stopped counting.
    """
    stmt = select(CustomerShare).options(selectinload(CustomerShare.customer), selectinload(CustomerShare.user))
    if customer_ids is not None:
        stmt = stmt.where(CustomerShare.customer_id.in_(list(customer_ids) or [0]))
    if user_id is not None:
        stmt = stmt.where(CustomerShare.user_id == user_id)
    shares = db.session.scalars(stmt).all()
    today = company_today()
    for share in shares:
        if is_live(share, today):
            _log(share.customer, "share_ended", share.access, None, share.user, actor, reason=reason)
    if shares:
        db.session.execute(delete(CustomerShare).where(CustomerShare.id.in_([s.id for s in shares])))
        forget_shares()
    return len(shares)


def own_share(user, customer):
    """The share that lets ``user`` see ``customer`` (for the notice on its page), or None."""
    return db.session.scalar(select(CustomerShare).where(
        CustomerShare.customer_id == customer.id, CustomerShare.user_id == user.id)
        .options(selectinload(CustomerShare.created_by)))


def get_share(customer, share_id):
    return db.session.scalar(select(CustomerShare).where(
        CustomerShare.id == share_id, CustomerShare.customer_id == customer.id))


def _log(customer, action, old, new, colleague, actor, *, until=None, reason=None):
    record_changes(customer, [("share", old, new, colleague.name, None)], actor=actor, action=action,
                   reason=reason or (_("Until %(day)s", day=until.isoformat()) if until else None))
    record(f"customer_{action}", customer, actor=actor, user_id=colleague.id, access=new or old,
           until=until.isoformat() if until else None)


def _as_day(value):
    """A date, None for empty, or False for something that is not one."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return False
    return False
