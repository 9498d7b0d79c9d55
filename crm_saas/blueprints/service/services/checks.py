"""The rules of a request's fields, for a new one and for a change, naming every field that breaks one.

A customer must be one the actor sees (the customers' own rule), or for the
service desk any customer in use (``filing.py``); its
contact must be that customer's; a deal must be that customer's and one the
actor sees; an assignee must be an active colleague who works with service
requests (their role holds the ``service`` module), whoever they report to:
a sales rep hands a complaint to the service desk across the tree.
"""
from flask_babel import gettext as _
from sqlalchemy import or_, select

from crm_saas.blueprints.activities.services.checks import as_int, visible_deal_of
from crm_saas.blueprints.customers.models import Contact
from crm_saas.blueprints.service.services.codes import CHANNELS, FIELD_LABELS, PRIORITIES, TYPES
from crm_saas.blueprints.service.services.filing import fileable_customer
from crm_saas.core.permissions import can
from crm_saas.core.roles import BUILT_IN, custom_roles
from crm_saas.core.staff import NAME_ORDER
from crm_saas.core.users import User
from crm_saas.core.validators import holds_resident_id, resident_id_message
from crm_saas.extensions import db

SUBJECT_MAX, TEXT_MAX = 200, 10000
# What a change may touch; the customer stays (a merge moves requests, nobody else does).
EDITABLE = ("type", "priority", "channel", "subject", "description", "contact_id", "deal_id", "assignee_id")
FIELDS = ("customer_id", *EDITABLE)


def request_values(data, *, actor, req=None):
    """``(values, customer, errors)``: ``data`` judged for a new request (``req`` None) or a change to ``req``
    (only the fields sent); ``values`` holds what would be stored."""
    errors, values = {}, {}
    present = set(FIELDS) if req is None else set(data) & set(FIELDS)
    customer = _customer(data, actor, req, errors)
    if req is None:
        values["customer_id"] = customer.id if customer else None
    if "type" in present:
        values["type"] = _choice(data.get("type"), TYPES, "type", errors, required=True)
    if "priority" in present:
        values["priority"] = _choice(data.get("priority"), PRIORITIES, "priority", errors) or "normal"
    if "channel" in present:
        values["channel"] = _choice(data.get("channel"), CHANNELS, "channel", errors)
    if "subject" in present:
        values["subject"] = text_value(data.get("subject"), "subject", errors, limit=SUBJECT_MAX)
    if "description" in present:
        values["description"] = text_value(data.get("description"), "description", errors, required=True)
    for field in ("contact_id", "deal_id", "assignee_id"):
        if req is not None and field in present and _same_id(data.get(field), getattr(req, field)):
            present.discard(field)  # sent back as read: kept, even a colleague's deal the actor may not see
    if "contact_id" in present:
        values["contact_id"] = _contact(data.get("contact_id"), customer, errors)
    if "deal_id" in present and customer is not None:
        deal = visible_deal_of(data.get("deal_id"), customer, actor, errors)
        values["deal_id"] = deal.id if deal else None
    if "assignee_id" in present:
        values["assignee_id"] = _assignee(data.get("assignee_id"), errors)
    return values, customer, errors


def _same_id(raw, current):
    return (as_int(raw) if raw not in (None, "") else None) == current


def text_value(raw, field, errors, *, required=False, limit=TEXT_MAX):
    """Trimmed text, or None; refused when required and empty, too long, or holding a resident ID number."""
    text = raw.strip() if isinstance(raw, str) else ""
    if raw is not None and not isinstance(raw, str):
        errors[field] = [_("Send text.")]
    elif required and not text:
        errors[field] = [_("%(field)s is required.", field=FIELD_LABELS[field])]
    elif len(text) > limit:
        errors[field] = [_("At most %(max)d characters.", max=limit)]
    elif holds_resident_id(text):
        errors[field] = [resident_id_message(FIELD_LABELS[field])]
    return text or None


def _customer(data, actor, req, errors):
    if req is not None:
        raw = data.get("customer_id")
        if "customer_id" in data and raw not in (None, "") and as_int(raw) != req.customer_id:
            errors["customer_id"] = [_("A request keeps its customer: file a new one for another customer.")]
        return req.customer
    raw = data.get("customer_id")
    customer = fileable_customer(actor, as_int(raw))
    if customer is None:
        errors["customer_id"] = [_("Choose a customer you can see.")]
    return customer


def _choice(raw, codes, field, errors, *, required=False):
    if raw in (None, ""):
        if required:
            errors[field] = [_("%(field)s is required.", field=FIELD_LABELS[field])]
        return None
    if not isinstance(raw, str) or raw not in codes:
        errors[field] = [_("Choose one of: %(codes)s.", codes=", ".join(codes))]
        return None
    return raw


def _contact(raw, customer, errors):
    if raw in (None, ""):
        return None
    contact = db.session.get(Contact, as_int(raw)) if as_int(raw) else None
    if contact is None or customer is None or contact.customer_id != customer.id:
        errors["contact_id"] = [_("Choose a contact of this customer.")]
        return None
    return contact.id


def _assignee(raw, errors):
    if raw in (None, ""):
        return None
    person = db.session.get(User, as_int(raw)) if as_int(raw) else None
    if person is None or not person.active or not can(person, "service"):
        errors["assignee_id"] = [_("Choose an active colleague who works with service requests.")]
        return None
    return person.id


def service_roles():
    """The roles whose holders work with service requests: the built-in three, and custom roles with ``service``."""
    return [*BUILT_IN, *(key for key, role in custom_roles().items() if "service" in (role.rights or []))]


def service_staff():
    """A statement of the active people a request may be assigned to (the assignee picker)."""
    return select(User).where(User.active.is_(True), User.role.in_(service_roles()))


def pick_service_staff(q="", limit=20):
    """``(id, name, username)`` of the first people a request may be assigned to whose name or username holds ``q``."""
    stmt = service_staff()
    q = (q or "").strip()
    if q:
        stmt = stmt.where(or_(User.name.icontains(q, autoescape=True), User.username.icontains(q, autoescape=True)))
    return db.session.execute(stmt.with_only_columns(User.id, User.name, User.username)
                              .order_by(NAME_ORDER, User.id).limit(limit)).all()
