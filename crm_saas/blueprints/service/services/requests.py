"""Creating and changing a request, its notes, and its timeline (every change and every note is a line of it).

A request is numbered from the company's pattern (setting
``service_number_pattern``, the customers' tokens and counters, a counter of
its own) and gets its due times from its priority when it comes in. A
change of priority moves them, counted from when the request came in (or
was last reopened); a change of assignee lets the new one be reminded.
"""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from crm_saas.blueprints.customers.models import Contact, Customer
from crm_saas.blueprints.customers.services.numbering import next_number
from crm_saas.blueprints.pipeline.models import Deal
from crm_saas.blueprints.service.models import ServiceEvent, ServiceRequest
from crm_saas.blueprints.service.services import ServiceError
from crm_saas.blueprints.service.services.checks import request_values, text_value
from crm_saas.blueprints.service.services.due import due_times
from crm_saas.blueprints.service.services.visibility import visible_requests
from crm_saas.core.base import utcnow
from crm_saas.core.settings import get_setting
from crm_saas.core.users import User
from crm_saas.extensions import db


def in_use():
    """Requests whose customer is in use: those of a customer in the recycle bin are out of sight with it."""
    return select(ServiceRequest).join(Customer, Customer.id == ServiceRequest.customer_id) \
        .where(Customer.deleted_at.is_(None))


def get_visible_request(user, request_id):
    """The request, or None when it does not exist or ``user`` may not see it (a 404)."""
    if not isinstance(request_id, int):
        return None
    return db.session.scalar(
        visible_requests(user, in_use()).where(ServiceRequest.id == request_id)
        .options(joinedload(ServiceRequest.customer).joinedload(Customer.owner),
                 joinedload(ServiceRequest.assignee), joinedload(ServiceRequest.contact),
                 joinedload(ServiceRequest.deal))
    )


def next_request_number():
    return next_number(get_setting("service_number_pattern"), counter="service", taken=ServiceRequest.number)


def record_event(req, kind, *, actor, **fields):
    """One line of the request's timeline, in the caller's transaction."""
    event = ServiceEvent(request_id=req.id, kind=kind, actor_id=getattr(actor, "id", None), at=utcnow(), **fields)
    db.session.add(event)
    return event


def create_request(data, *, actor):
    """File a request (new, due by its priority's hours); raises ServiceError naming every bad field."""
    values, _customer, errors = request_values(data, actor=actor)
    if errors:
        raise ServiceError(errors)
    now = utcnow()
    req = ServiceRequest(number=next_request_number(), status="new", created_by_id=actor.id, created_at=now,
                         updated_at=now, reopened=0, **values)
    req.response_due_at, req.due_at = due_times(req.priority, now)
    db.session.add(req)
    db.session.flush()
    record_event(req, "created", actor=actor, to_status="new")
    if req.assignee_id:
        record_event(req, "assigned", actor=actor, details=_assignment(None, req.assignee_id))
    db.session.commit()
    return req


def update_request(req, changes, *, actor):
    """Apply ``changes`` (any of ``checks.EDITABLE``); each changed field goes on the timeline."""
    values, _customer, errors = request_values(changes, actor=actor, req=req)
    if errors:
        raise ServiceError(errors)
    changed = {field: (getattr(req, field), value) for field, value in values.items() if getattr(req, field) != value}
    if not changed:
        return req
    for field, (_old, new) in changed.items():
        setattr(req, field, new)
    if "priority" in changed:
        response_due, due = due_times(req.priority, req.created_at)
        req.response_due_at = response_due
        req.due_at = due if not req.reopened else due_times(req.priority, last_reopened_at(req) or req.created_at)[1]
        req.overdue_reminded_at = None
    if "assignee_id" in changed:
        old, new = changed.pop("assignee_id")
        req.overdue_reminded_at = None  # the new assignee hears of it when it is late
        record_event(req, "assigned", actor=actor, details=_assignment(old, new))
    if changed:
        record_event(req, "changed", actor=actor, details={"changes": [
            {"field": field, "old": _readable(field, old), "new": _readable(field, new)}
            for field, (old, new) in changed.items()]})
    db.session.commit()
    return req


def assign(req, assignee_id, *, actor):
    """Give the request to ``assignee_id`` (None: back to the queue); "take it" is assigning oneself."""
    return update_request(req, {"assignee_id": assignee_id}, actor=actor)


def add_note(req, body, *, actor):
    """A note on the timeline (what was said, tried, promised); it changes nothing else."""
    errors = {}
    text = text_value(body, "body", errors, required=True)
    if errors:
        raise ServiceError(errors)
    event = record_event(req, "note", actor=actor, body=text)
    req.updated_at = utcnow()
    db.session.commit()
    return event


def timeline(req):
    """The request's timeline, newest first, with who did each thing."""
    return db.session.scalars(
        select(ServiceEvent).where(ServiceEvent.request_id == req.id)
        .options(joinedload(ServiceEvent.actor)).order_by(ServiceEvent.at.desc(), ServiceEvent.id.desc())
    ).all()


def last_reopened_at(req):
    return db.session.scalar(
        select(ServiceEvent.at).where(ServiceEvent.request_id == req.id, ServiceEvent.kind == "status",
                                      ServiceEvent.details["reopened"].as_boolean().is_(True))
        .order_by(ServiceEvent.at.desc()).limit(1)
    )


def _assignment(old, new):
    """Who had it and who has it, by id and by name (the timeline reads right after people leave)."""
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_([i for i in (old, new) if i]))).all())
    return {"from": old, "from_name": names.get(old), "to": new, "to_name": names.get(new)}


def _readable(field, value):
    """A changed value as the timeline keeps it: a contact's or deal's name rather than its id."""
    if value is None:
        return None
    if field == "contact_id":
        return db.session.scalar(select(Contact.name).where(Contact.id == value)) or str(value)
    if field == "deal_id":
        return db.session.scalar(select(Deal.name).where(Deal.id == value)) or str(value)
    return value
