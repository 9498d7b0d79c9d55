"""Customers: creating and editing them (always through the shared rules), finding one under visibility.

Lists and search are in ``search.py``; the change log in ``changes.py``;
transfers, the recycle bin and merges in modules of their own.
"""
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.custom_fields.services import clean_values
from crm_saas.blueprints.customers.models import Contact, Customer
from crm_saas.blueprints.customers.services.changes import SCALAR_FIELDS, diff, record_changes, record_event, snapshot
from crm_saas.blueprints.customers.services.codes import FIELD_LABELS
from crm_saas.blueprints.customers.services.keys import name_key, phone_key
from crm_saas.blueprints.customers.services.numbering import next_customer_number
from crm_saas.blueprints.customers.services.privacy import ContactReader
from crm_saas.blueprints.customers.services.shares import share_clause
from crm_saas.blueprints.customers.services.validation import clean_tags, is_primary, validate_customer
from crm_saas.core.errors import FieldErrors
from crm_saas.core.permissions import can
from crm_saas.core.settings import get_setting
from crm_saas.core.staff import NAME_ORDER, assignable_people, get_assignable
from crm_saas.core.users import User
from crm_saas.core.visibility import visible
from crm_saas.extensions import db

CONTACT_TEXT = ("title", "email", "wechat", "role")
READ_ONLY = ("number", "created_at")
REASON_MAX = 500


class CustomerError(FieldErrors):
    """Refused customer save, naming every bad field."""


def initial_status(actor):
    """B4: with approval on, an entry by someone who may not approve waits for a supervisor."""
    if get_setting("customer_approval") and not can(actor, "approve_customers"):
        return "pending"
    return "active"


def create_customer(data, *, actor, owner_id=None):
    """Save a customer with its contacts in one transaction; raises CustomerError naming every bad field.

    A single contact not marked either way is the main one, as the rules allow.
    """
    errors = validate_customer(data)
    if owner_id not in (None, actor.id) and assignable_owner(actor, owner_id) is None:
        errors["owner_id"] = [_("Choose yourself or someone you manage.")]
    if errors:
        raise CustomerError(errors)
    customer = Customer(
        status=initial_status(actor), number=next_customer_number(), owner_id=owner_id or actor.id,
        created_by_id=actor.id, tags=[], custom={},
    )
    _apply_fields(customer, data)
    contacts = data["contacts"]
    for contact in contacts:
        customer.contacts.append(_apply_contact(Contact(), contact, len(contacts) == 1))
    db.session.add(customer)
    db.session.flush()
    record_event(customer, "created", actor=actor, new=customer.number)
    db.session.commit()
    return customer


def update_customer(customer, changes, *, actor, reason=None, partial_custom=False):
    """Apply ``changes`` (any subset of the API's fields) and log each changed field; returns the rows logged.

    ``contacts``, when given, is the whole new list: items with an ``id`` edit
    that contact, items without one are added, contacts left out are removed.
    ``custom`` values are merged over the stored ones (``None`` clears one).
    Number and creation time never change: asking to change them is an error
    naming the field, while sending back the value read is fine.
    """
    changes = as_stored(customer, changes, actor=actor)
    errors = update_errors(customer, changes, reason, actor=actor, partial_custom=partial_custom)
    if errors:
        raise CustomerError(errors)
    data = _merged(customer, changes)
    reason = (reason or "").strip() or None
    before = snapshot(customer)
    _apply_fields(customer, data)
    if "contacts" in changes:
        _replace_contacts(customer, data["contacts"])
    db.session.flush()
    rows = diff(before, snapshot(customer))
    if rows:
        if customer.status == "rejected":  # an edit resubmits a rejected entry (B4)
            customer.status = initial_status(actor)
            rows.append(("status", "rejected", customer.status, None, None))
        record_changes(customer, rows, actor=actor, reason=reason)
    db.session.commit()
    return rows


def add_contact(customer, contact, *, actor, reason=None):
    """One more contact for ``customer`` (an import's extra contacts), saved and logged as an edit of the list.

    A contact marked main takes the place of the main contact, who stays as
    an ordinary one. Raises CustomerError, the contact's fields named
    ``contacts.<i>.<field>``, when the customer as it would become breaks a rule.
    """
    primary = is_primary(contact)
    contacts = editable_data(customer)["contacts"]
    if primary:
        for other in contacts:
            other["primary"] = False
    return update_customer(customer, {"contacts": [*contacts, {**contact, "primary": primary}]}, actor=actor,
                           reason=reason)


def update_errors(customer, changes, reason=None, *, actor, partial_custom=False):
    """Every rule ``changes`` would break on ``customer``, judged on the customer as it would become."""
    changes = as_stored(customer, changes, actor=actor)
    errors = {}
    for field in READ_ONLY:
        if field in changes and changes[field] is not None and _differs(customer, field, changes[field]):
            errors[field] = [_("%(field)s cannot be changed.", field=_label(field))]
    errors.update(validate_customer(_merged(customer, changes), partial_custom=partial_custom))
    errors.update(_unknown_contacts(customer, changes.get("contacts")))
    if isinstance(reason, str) and len(reason.strip()) > REASON_MAX:
        errors["reason"] = [_("Reason for the change: at most %(max)d characters.", max=REASON_MAX)]
    return errors


def editable_data(customer, viewer=None):
    """The customer in the API's input shape: for ``viewer``'s form (contacts as they may read them, C12),
    or, with no viewer, as stored, for merging a PATCH over on the server."""
    data = {field: getattr(customer, field) for field in SCALAR_FIELDS}
    if viewer is None:
        contacts = [{"id": c.id, "name": c.name, "title": c.title, "phone": c.phone, "email": c.email,
                     "wechat": c.wechat, "role": c.role, "primary": c.is_primary} for c in customer.contacts]
    else:
        reader = ContactReader(viewer)
        contacts = [reader.contact(customer, c) for c in customer.contacts]
    data.update(tags=list(customer.tags or []), custom=dict(customer.custom or {}), contacts=contacts)
    return data


def as_stored(customer, changes, *, actor):
    """``changes`` with each contact value ``actor`` was shown masked, and sent back as it was, put back as stored.

    Forms and PATCH bodies carry what the sender read; a masked phone saved
    unchanged keeps the stored number instead of failing the phone rule or
    overwriting it with its mask (C12, ``privacy.ContactReader.restore``).
    """
    if "contacts" not in changes:
        return changes
    return {**changes, "contacts": ContactReader(actor).restore(customer, changes["contacts"])}


def _merged(customer, changes):
    data = editable_data(customer)
    data.update({key: value for key, value in changes.items() if key in data and key != "custom"})
    if isinstance(changes.get("custom"), dict):
        data["custom"] = {**data["custom"], **changes["custom"]}
        data["custom"] = {key: value for key, value in data["custom"].items() if value is not None}
    return data


def _differs(customer, field, value):
    """Whether ``value`` would change ``field``; a time sent back in another ISO spelling is the same time."""
    current = getattr(customer, field)
    if isinstance(current, datetime) and isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return True
    try:
        return value != current
    except TypeError:  # a naive time against an aware one
        return True


def _label(field):
    return FIELD_LABELS[field]


def _unknown_contacts(customer, contacts):
    """A contact id that is not this customer's would edit someone else's contact: refused by name."""
    if not isinstance(contacts, list):
        return {}
    own = {c.id for c in customer.contacts}
    return {f"contacts.{i}.id": [_("This contact does not belong to the customer.")]
            for i, c in enumerate(contacts) if isinstance(c, dict) and c.get("id") not in (None, *own)}


def _apply_fields(customer, data):
    for field in SCALAR_FIELDS:
        if field in data:
            setattr(customer, field, _clean(data.get(field)))
    customer.type = customer.type or "potential"
    customer.name_key = name_key(customer.name)
    if "tags" in data:
        customer.tags = clean_tags(data.get("tags"))
    if isinstance(data.get("custom"), dict):
        customer.custom = clean_values("customer", data["custom"], partial=True)[0]


def _apply_contact(contact, data, only):
    contact.name = data["name"].strip()
    contact.phone = (data.get("phone") or "").strip()
    contact.phone_key = phone_key(contact.phone)
    contact.is_primary = is_primary(data) or only
    for key in CONTACT_TEXT:
        setattr(contact, key, _clean(data.get(key)))
    return contact


def _replace_contacts(customer, contacts):
    by_id = {c.id: c for c in customer.contacts}
    keep = []
    for item in contacts:
        keep.append(_apply_contact(by_id.get(item.get("id")) or Contact(), item, len(contacts) == 1))
    for contact in list(customer.contacts):
        if contact not in keep:
            customer.contacts.remove(contact)
    for contact in keep:
        if contact not in customer.contacts:
            customer.contacts.append(contact)


def _clean(value):
    return (value or "").strip() or None if isinstance(value, (str, type(None))) else value


def assignable_owner(actor, owner_id):
    """The active staff member ``actor`` may hand a customer to (self or below), or None."""
    return get_assignable(actor, owner_id)


def visible_customers(user, *, deleted=False, shared=True):
    """Customers ``user`` may see: in use, or (``deleted=True``) in the recycle bin.

    Customers shared with ``user`` are in too (the share branch, ``shares.py``),
    except in the recycle bin and where ``shared=False`` asks for those the
    hierarchy alone gives: the queues in which someone decides for their people.
    """
    bin_filter = Customer.deleted_at.is_not(None) if deleted else Customer.deleted_at.is_(None)
    branch = share_clause(user) if shared and not deleted else None
    # Owned customers only: a pooled one (no owner) is reached through its pool, contacts masked (C11).
    owned = select(Customer).where(bin_filter, Customer.pool_id.is_(None))
    return visible(owned, Customer.owner_id, user, shared=branch)


def get_visible_customer(user, customer_id, *, deleted=False):
    """The customer, or None when it does not exist or ``user`` may not see it."""
    return db.session.scalar(
        visible_customers(user, deleted=deleted).where(Customer.id == customer_id)
        .options(selectinload(Customer.contacts))
    )


def visible_by_ids(user, ids, *, shared=True):
    """The customers among ``ids`` that ``user`` may see (bulk actions: the others are simply not found)."""
    return db.session.scalars(visible_customers(user, shared=shared).where(Customer.id.in_(ids))).all() if ids else []


def owned_by(user, limit):
    """The first ``limit`` customers ``user`` owns, by name (what the agenda offers to attach a task to)."""
    return db.session.scalars(
        visible_customers(user).where(Customer.owner_id == user.id).order_by(Customer.name).limit(limit)
    ).all()


def assignable_owners(actor):
    """Active people ``actor`` may make owner of a new customer: themselves and everyone they see."""
    return db.session.scalars(assignable_people(actor).order_by(NAME_ORDER, User.id)).all()


def tag_suggestions(limit=50):
    """The company's most used tags among its 5,000 newest customers (an index walk, not a scan)."""
    recent = select(Customer.tags).where(Customer.deleted_at.is_(None)).order_by(Customer.created_at.desc()) \
        .limit(5000).subquery()
    tag = func.unnest(recent.c.tags).label("tag")
    inner = select(tag).subquery()
    return db.session.scalars(
        select(inner.c.tag).group_by(inner.c.tag).order_by(func.count().desc(), inner.c.tag).limit(limit)
    ).all()


def count_by_owner(owner_ids):
    """``{owner id: customers in use}`` for the organisation tree: one GROUP BY, past visibility on purpose.

    The tree shows each person it shows with how many customers they hold
    (visibility.py lists this among the counts made past visibility).
    """
    return dict(db.session.execute(
        select(Customer.owner_id, func.count())
        .where(Customer.deleted_at.is_(None), Customer.owner_id.in_(list(owner_ids) or [0]))
        .group_by(Customer.owner_id)
    ).all())
