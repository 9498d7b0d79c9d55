"""What the service feature hears from others, and what it announces to integrations (the outbox).

Requests follow their customer and their people: a departing person's open
requests go to whoever takes over (closed ones keep who handled them); a
merged customer's requests move to the customer kept; a purged customer's
requests go with it (ON DELETE CASCADE), their files first. A request
carries files (attachments) through the files feature's registry.
"""
from sqlalchemy import func, select

from crm_saas.blueprints.files.services import purge_attachments, register_entity
from crm_saas.blueprints.service.models import ServiceRequest
from crm_saas.blueprints.service.services.codes import OPEN_STATUSES
from crm_saas.blueprints.service.services.requests import get_visible_request, record_event
from crm_saas.core import outbox, signals
from crm_saas.core.permissions import can
from crm_saas.extensions import db

WEBHOOK_FIELDS = ("id", "number", "type", "priority", "channel", "subject", "customer_id", "contact_id", "deal_id",
                  "description", "status", "assignee_id", "response_due_at", "due_at", "responded_at", "resolved_at",
                  "resolution", "satisfaction", "reopened", "created_at", "closed_at", "updated_at")
# Columns whose change is bookkeeping, not news for an integration.
_QUIET = ("updated_at", "overdue_reminded_at")


def connect():
    register_entity("service_request", visible=_visible_for_files, load=lambda id_: db.session.get(ServiceRequest, id_))
    outbox.watch(ServiceRequest, "service_request", data=lambda r: outbox.plain(r, WEBHOOK_FIELDS),
                 events=_events)
    signals.staff_holdings_counted.connect(_count_open)
    signals.staff_departed.connect(_hand_over)
    signals.customers_merged.connect(_follow_merge)
    signals.customers_purging.connect(_purge_files)


def _visible_for_files(user, request_id):
    """A request's files follow the request: its viewers, while their role opens service requests."""
    return get_visible_request(user, request_id) if can(user, "service") else None


def _events(req, change, changed):
    if change == "created":
        return ["service_request.created"]
    return outbox.updated_unless(changed, _QUIET, "service_request.changed")


def _open_of(user):
    return (ServiceRequest.assignee_id == user.id, ServiceRequest.status.in_(OPEN_STATUSES))


def _count_open(user, **_):
    return {"service_requests": db.session.scalar(
        select(func.count()).select_from(ServiceRequest).where(*_open_of(user)))}


def _hand_over(user, *, to, **_):
    """Each open request changes hands through the ORM, so its timeline says so and integrations hear of it."""
    moved = db.session.scalars(select(ServiceRequest).where(*_open_of(user))).all()
    for req in moved:
        req.assignee_id, req.overdue_reminded_at = to.id, None
        record_event(req, "assigned", actor=None, details={
            "from": user.id, "from_name": user.name, "to": to.id, "to_name": to.name, "departed": True})
    return {"service_requests": len(moved)}


def _follow_merge(other, *, into, **_):
    moved = db.session.scalars(select(ServiceRequest).where(ServiceRequest.customer_id == other.id)).all()
    for req in moved:
        req.customer_id = into.id
    return {"service_requests": len(moved)}


def _purge_files(customer_ids, **_):
    ids = db.session.scalars(select(ServiceRequest.id).where(ServiceRequest.customer_id.in_(customer_ids))).all()
    purge_attachments("service_request", ids)
