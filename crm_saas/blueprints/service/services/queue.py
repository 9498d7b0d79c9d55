"""Lists of requests: the service queue's tabs and filters, the API's list, a customer's requests.

Each starts from ``requests.in_use()`` narrowed by ``visible_requests``, so
a list never holds a request its reader could not open. The queue reads
soonest due first (the work that is late or about to be), a customer's
list newest first.
"""
from sqlalchemy import and_, any_, func, or_, select, true
from sqlalchemy.orm import contains_eager, joinedload

from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.service.models import ServiceRequest
from crm_saas.blueprints.service.services.codes import OPEN_STATUSES, PRIORITIES, STATUSES, TYPES
from crm_saas.blueprints.service.services.due import overdue_condition
from crm_saas.blueprints.service.services.requests import in_use
from crm_saas.blueprints.service.services.visibility import visible_requests
from crm_saas.core.permissions import can
from crm_saas.core.staff import leads_people
from crm_saas.core.visibility import literal_ids, subtree_ids
from crm_saas.extensions import db

# unassigned: the open ones nobody has taken; mine: assigned to me; team: to me or anyone below me; all: visible.
TABS = ("unassigned", "mine", "team", "all")
SOONEST_DUE = (ServiceRequest.due_at.asc().nulls_last(), ServiceRequest.id)
NEWEST = (ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
PER_PAGE = 50


def tabs_for(user):
    """The tabs ``user`` is offered: "My team" only to those who lead people."""
    return [tab for tab in TABS if tab != "team" or leads_people(user)]


def default_tab(user):
    """The service desk starts at the unassigned ones; everyone else at what they may see."""
    return "unassigned" if can(user, "service_desk") else "all"


def tab_condition(tab, user):
    if tab == "unassigned":
        return (ServiceRequest.assignee_id.is_(None), ServiceRequest.status.in_(OPEN_STATUSES))
    if tab == "mine":
        return (ServiceRequest.assignee_id == user.id,)
    if tab == "team":
        return (ServiceRequest.assignee_id == any_(literal_ids(subtree_ids(user.id))),)
    return ()


def search_requests(user, *, tab="all", status=None, type=None, priority=None, overdue=False, q=None,
                    assignee_id=None, customer_id=None, now=None):
    """A statement of the requests ``user`` sees in ``tab`` that match the filters (unknown codes are ignored).

    ``status`` may be ``open`` (new, in progress or waiting); ``q`` finds a
    request's number or its customer's name or number.
    """
    stmt = visible_requests(user, in_use()).where(*tab_condition(tab, user))
    if status == "open":
        stmt = stmt.where(ServiceRequest.status.in_(OPEN_STATUSES))
    elif status in STATUSES:
        stmt = stmt.where(ServiceRequest.status == status)
    if type in TYPES:
        stmt = stmt.where(ServiceRequest.type == type)
    if priority in PRIORITIES:
        stmt = stmt.where(ServiceRequest.priority == priority)
    if overdue:
        stmt = stmt.where(overdue_condition(now))
    if assignee_id is not None:
        stmt = stmt.where(ServiceRequest.assignee_id == assignee_id)
    if customer_id is not None:
        stmt = stmt.where(ServiceRequest.customer_id == customer_id)
    q = (q or "").strip()
    if q:
        stmt = stmt.where(or_(*(column.icontains(q, autoescape=True)
                                for column in (ServiceRequest.number, Customer.name, Customer.number))))
    return stmt


def with_people(stmt):
    """Each row's customer (already joined) and assignee come in the same statement, not one per row."""
    return stmt.options(contains_eager(ServiceRequest.customer), joinedload(ServiceRequest.assignee))


def queue_page(user, filters, page=1, per_page=PER_PAGE):
    """``(rows, total)`` of one page of the queue, soonest due first."""
    stmt = search_requests(user, **filters)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(with_people(stmt).order_by(*SOONEST_DUE).limit(per_page)
                              .offset((page - 1) * per_page)).unique().all()
    return rows, total


def tab_counts(user, tabs):
    """``{tab: open requests in it}`` for the tab badges, in one statement."""
    columns = [func.count().filter(and_(true(), *tab_condition(tab, user))).label(tab) for tab in tabs]
    stmt = (select(*columns).select_from(ServiceRequest).join(Customer, Customer.id == ServiceRequest.customer_id)
            .where(Customer.deleted_at.is_(None), ServiceRequest.status.in_(OPEN_STATUSES)))
    return dict(db.session.execute(visible_requests(user, stmt)).one()._mapping)


def customer_requests(customer, user, limit=50):
    """The requests on ``customer`` that ``user`` may see, newest first (the customer page, C13)."""
    stmt = visible_requests(user, select(ServiceRequest).where(ServiceRequest.customer_id == customer.id))
    return db.session.scalars(stmt.options(joinedload(ServiceRequest.assignee)).order_by(*NEWEST).limit(limit)).all()
