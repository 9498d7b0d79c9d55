"""Which customers a person may file a service request for, and find in the form's customer search.

Everyone may file for the customers they see. The service desk (holders of
``service_desk``, e.g. a 客服 role) takes calls from any customer of the
company, most of whom sit outside its tree: it may file for any customer in
use (not in the recycle bin) and find them by name or number. The search
shows a name and a number, nothing more; phone numbers still find only the
customers whose numbers the searcher may read (customers' search rule), and
the customer's own page stays closed to whoever cannot see the customer.
"""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.customers.services import get_visible_customer
from crm_saas.blueprints.customers.services.search import search_customers
from crm_saas.core.permissions import can
from crm_saas.extensions import db


def _in_use():
    return select(Customer).where(Customer.deleted_at.is_(None), Customer.status == "active")


def fileable_customer(user, customer_id):
    """The customer ``user`` may file a request for, or None."""
    if not customer_id:
        return None
    customer = get_visible_customer(user, customer_id)
    if customer is None and can(user, "service_desk"):
        customer = db.session.scalar(_in_use().where(Customer.id == customer_id)
                                     .options(selectinload(Customer.contacts)))
    return customer


def fileable_customers(user, q, limit):
    """Customers matching ``q`` that ``user`` may file for: the visible ones, or for the desk any in use
    (and then only once something is typed: the desk finds a caller, it does not browse the company)."""
    if can(user, "service_desk") and not can(user, "see_all"):
        if not (q or "").strip():
            return []
        rows, _total = search_customers(user, q=q, per_page=limit, base=_in_use())
        return rows
    rows, _total = search_customers(user, q=q or None, per_page=limit)
    return rows
