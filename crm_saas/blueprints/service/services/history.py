"""What a request's page shows around it: its customer, the contact, and the customer's service history.

Whoever sees a request sees what serving it needs (客服: 查询客户历史服务记录),
even when the customer itself is outside their tree: the customer's name,
number, owner and type, the customer's other requests (opened only when
visible to them too) and its latest follow-ups. Never the customer's page
(``may_open_customer`` says whether to link it), and the contact's phone and
email as the one contact rule reads them (customers' ``ContactReader``:
masked unless the viewer is the owner or above them).
"""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from crm_saas.blueprints.activities.models import Activity
from crm_saas.blueprints.customers.services import get_visible_customer
from crm_saas.blueprints.customers.services.privacy import ContactReader
from crm_saas.blueprints.service.models import ServiceRequest
from crm_saas.blueprints.service.services.visibility import visible_requests
from crm_saas.core.permissions import can
from crm_saas.extensions import db

EARLIER_LIMIT, FOLLOW_UP_LIMIT = 20, 5


@dataclass
class ContactCard:
    name: str
    title: str | None
    phone: str | None
    email: str | None


def contact_card(req, viewer):
    """The request's contact as ``viewer`` may read it (phone and email masked unless the rule allows)."""
    contact = req.contact
    if contact is None:
        return None
    reader, owner_id = ContactReader(viewer), req.customer.owner_id
    return ContactCard(contact.name, contact.title, reader.phone(owner_id, contact.phone),
                       reader.email(owner_id, contact.email))


def may_open_customer(req, viewer):
    """Whether the customer's own page opens for ``viewer`` (the customers module, and the customer visible)."""
    return can(viewer, "customers") and get_visible_customer(viewer, req.customer_id) is not None


def earlier_requests(req, viewer):
    """``[(request, visible)]``: the customer's other requests, newest first; ``visible`` says whether to link it."""
    rows = db.session.scalars(
        select(ServiceRequest).where(ServiceRequest.customer_id == req.customer_id, ServiceRequest.id != req.id)
        .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc()).limit(EARLIER_LIMIT)
    ).all()
    if not rows:
        return []
    ids = [row.id for row in rows]
    seen = set(db.session.scalars(visible_requests(viewer, select(ServiceRequest.id)
                                                   .where(ServiceRequest.id.in_(ids)))))
    return [(row, row.id in seen) for row in rows]


def recent_follow_ups(req):
    """The customer's latest follow-ups (what sales last talked about with them), newest first."""
    return db.session.scalars(
        select(Activity).where(Activity.customer_id == req.customer_id)
        .options(joinedload(Activity.created_by))
        .order_by(Activity.occurred_at.desc(), Activity.id.desc()).limit(FOLLOW_UP_LIMIT)
    ).all()
