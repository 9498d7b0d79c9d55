"""Who sees a service request (F1): the customer's owner chain, the assignee's chain, and the service desk.

The one visibility rule (core/visibility.py) applied three ways and OR'ed:
- the customer's owner and everyone above them see the customer's requests,
  as they see the customer;
- the assignee and everyone above them (a service team's lead) see the
  requests assigned there, whoever owns the customer;
- holders of ``service_desk`` (a 客服 role) also see the unassigned ones,
  the queue they take work from.
Admins and ``see_all`` see everything. A request outside all of these
answers 404, as any hidden record does.
"""
from sqlalchemy import and_, any_, false, or_, select

from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.service.models import ServiceRequest
from crm_saas.core.permissions import can
from crm_saas.core.visibility import literal_ids, subtree_ids


def visible_condition(user):
    """A WHERE condition on ``ServiceRequest`` (None: everything is visible)."""
    if can(user, "see_all"):
        return None
    ids = subtree_ids(user.id)
    if not ids:
        return false()
    team = literal_ids(ids)
    owned = select(Customer.id).where(Customer.owner_id == any_(team))
    branches = [ServiceRequest.customer_id.in_(owned), ServiceRequest.assignee_id == any_(team)]
    if can(user, "service_desk"):
        branches.append(and_(ServiceRequest.assignee_id.is_(None), ServiceRequest.status != "closed"))
    return or_(*branches)


def visible_requests(user, statement=None):
    """``statement`` (default: all requests) narrowed to what ``user`` may see."""
    statement = select(ServiceRequest) if statement is None else statement
    condition = visible_condition(user)
    return statement if condition is None else statement.where(condition)
