"""What the service pages show: the queue's tabs and filters read from the query string, the form's choices, and
everything a request's page shows around it."""
from flask_login import current_user
from sqlalchemy import select

from crm_saas.blueprints.activities.services import customer_deal_options
from crm_saas.blueprints.customers.models import Contact
from crm_saas.blueprints.customers.services import codes as customer_codes
from crm_saas.blueprints.service.services import codes
from crm_saas.blueprints.service.services.due import is_overdue
from crm_saas.blueprints.service.services.filing import fileable_customer, fileable_customers
from crm_saas.blueprints.service.services.flow import allowed
from crm_saas.blueprints.service.services.history import (
    contact_card,
    earlier_requests,
    may_open_customer,
    recent_follow_ups,
)
from crm_saas.blueprints.service.services.queue import (
    PER_PAGE,
    default_tab,
    queue_page,
    tab_counts,
    tabs_for,
)
from crm_saas.blueprints.service.services.requests import timeline
from crm_saas.core.base import utcnow
from crm_saas.core.queries import page_number
from crm_saas.core.users import User
from crm_saas.extensions import db

CHOICES_LIMIT = 30
FILTER_KEYS = ("tab", "status", "type", "priority", "overdue", "q")


def read_queue_args(args):
    """``(filters, page)`` from the queue's query string; anything unknown falls back to the defaults."""
    tabs = tabs_for(current_user)
    tab = args.get("tab") if args.get("tab") in tabs else default_tab(current_user)
    status = args.get("status", "open")
    filters = {"tab": tab, "status": status if status in ("open", "any", *codes.STATUSES) else "open",
               "type": args.get("type") or None, "priority": args.get("priority") or None,
               "overdue": args.get("overdue") in ("1", "true", "on"), "q": (args.get("q") or "").strip()}
    return filters, page_number(args.get("page", 1))


def queue_context(args):
    filters, page = read_queue_args(args)
    query = {**filters, "status": None if filters["status"] == "any" else filters["status"]}
    rows, total = queue_page(current_user, query, page)
    tabs = tabs_for(current_user)
    params = {key: value for key, value in filters.items() if value and key in FILTER_KEYS}
    params["overdue"] = "1" if filters["overdue"] else None
    return dict(requests=rows, total=total, page=page, per_page=PER_PAGE, filters=filters, tabs=tabs,
                counts=tab_counts(current_user, tabs), params={k: v for k, v in params.items() if v},
                codes=codes, now=utcnow(), is_overdue=is_overdue)


def customer_choices(q=""):
    """Customers the viewer may file for matching ``q`` (newest first), for the new request's customer combobox."""
    return [(c.id, f"{c.name} ({c.number})") for c in fileable_customers(current_user, q, CHOICES_LIMIT)]


def customer_fields(customer, current_deal=None):
    """The contacts and (visible) deals of ``customer`` as ``(id, label)`` for the form's selects; a deal
    already set stays offered though the viewer may not see it."""
    if customer is None:
        return dict(contact_options=[], deal_options=[])
    contacts = db.session.scalars(select(Contact).where(Contact.customer_id == customer.id)
                                  .order_by(Contact.is_primary.desc(), Contact.id)).all()
    deals = customer_deal_options(current_user, customer)
    if current_deal is not None and current_deal not in deals:
        deals = [current_deal, *deals]
    return dict(contact_options=[(c.id, f"{c.name} · {c.title}" if c.title else c.name) for c in contacts],
                deal_options=[(d.id, d.name) for d in deals])


def get_assignee(raw):
    """The person a form names as assignee, to show them chosen again (None: nobody, or not a person)."""
    return db.session.get(User, int(raw)) if str(raw or "").isdigit() else None


def form_context(values, errors=None):
    """The new request's form: the values typed, what was refused, the chosen customer's contacts and deals."""
    raw = values.get("customer_id")
    customer = fileable_customer(current_user, int(raw)) if str(raw or "").isdigit() else None
    if customer is not None and "contact_id" not in values:
        primary = next((c for c in customer.contacts if c.is_primary), None)
        values = {**values, "contact_id": str(primary.id) if primary else ""}
    assignee = get_assignee(values.get("assignee_id"))
    return dict(values=values, errors=errors or {}, chosen_customer=customer, codes=codes, chosen=assignee,
                **customer_fields(customer))


def detail_context(req, editing=False, **extra):
    """Everything one request's page shows at once; ``editing``: with the choices of the edit form."""
    if editing:
        extra.update(customer_fields(req.customer, req.deal))
    return dict(req=req, codes=codes, overdue=is_overdue(req), next_statuses=allowed(req), editing=editing,
                customer_type=customer_codes.label(customer_codes.CUSTOMER_TYPES, req.customer.type),
                contact=contact_card(req, current_user), open_customer=may_open_customer(req, current_user),
                earlier=earlier_requests(req, current_user), follow_ups=recent_follow_ups(req),
                events=timeline(req), errors=extra.pop("errors", {}), typed=extra.pop("typed", {}), **extra)
