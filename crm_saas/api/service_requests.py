"""Service requests and complaints (客服工单, API.md ``service requests``): list, file, read, change, note, move.

Input fields are taken as sent and judged by the service feature alone, so
the form and the API refuse the same things and one 422 names every bad
field. A request is seen by the customer's owner chain, the assignee's
chain and (unassigned ones) the service desk; any other is a 404. A
status the request cannot reach from where it stands is a 409 naming
``status``, with the statuses it may go to in ``allowed``.
"""
import marshmallow as ma
from flask_login import current_user
from marshmallow import fields, validate

from crm_saas.api import api_blueprint
from crm_saas.api.activities import as_sent
from crm_saas.api.paging import PageArgs, page_of, page_schema
from crm_saas.api.schemas import InputSchema
from crm_saas.blueprints.service.services import codes
from crm_saas.blueprints.service.services.due import is_overdue
from crm_saas.blueprints.service.services.flow import TRANSITIONS, transition
from crm_saas.blueprints.service.services.queue import NEWEST, search_requests
from crm_saas.blueprints.service.services.requests import (
    add_note,
    create_request,
    get_visible_request,
    timeline,
    update_request,
)
from crm_saas.core.views import found_or_404

bp = api_blueprint("api_service_requests", __name__, "Service requests and complaints (客服工单).", module="service")

FLOW = "; ".join(f"{status} -> {' | '.join(targets)}" for status, targets in TRANSITIONS.items())


class ServiceRequestSchema(ma.Schema):
    id = fields.Integer()
    number = fields.String(metadata={"description": "From the company's pattern (setting service_number_pattern)."})
    type = fields.String(metadata={"enum": list(codes.TYPES)})
    priority = fields.String(metadata={"enum": list(codes.PRIORITIES)})
    channel = fields.String(allow_none=True, metadata={"enum": [*codes.CHANNELS, None]})
    subject = fields.String(allow_none=True)
    customer_id = fields.Integer()
    contact_id = fields.Integer(allow_none=True)
    deal_id = fields.Integer(allow_none=True)
    description = fields.String()
    status = fields.String(metadata={"enum": list(codes.STATUSES)})
    assignee_id = fields.Integer(allow_none=True, metadata={"description": "Null: unassigned, in the service queue."})
    response_due_at = fields.DateTime(allow_none=True, metadata={"description": "The first response is due by then."})
    due_at = fields.DateTime(allow_none=True, metadata={"description": "The resolution is due by then."})
    responded_at = fields.DateTime(allow_none=True, metadata={"description": "The first move out of new."})
    overdue = fields.Function(is_overdue, metadata={
        "type": "boolean", "description": "Open (new, in progress or waiting for the customer) and past due_at, or "
                                          "not responded to and past response_due_at."})
    resolution = fields.String(allow_none=True)
    satisfaction = fields.Integer(allow_none=True, metadata={"description": "1-5, given when closing."})
    reopened = fields.Integer(metadata={"description": "How often it was reopened."})
    resolved_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime()


class TimelineEntrySchema(ma.Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": ["created", "status", "assigned", "note", "changed"]})
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    body = fields.String(allow_none=True, metadata={"description": "A note's text, or the resolution given."})
    details = fields.Dict(metadata={"description": "assigned: from, to (ids and names); changed: changes[{field, "
                                                   "old, new}]; status: satisfaction, return_visit_at, reopened."})
    actor_id = fields.Integer(allow_none=True)
    at = fields.DateTime()


class ServiceRequestDetailSchema(ServiceRequestSchema):
    timeline = fields.List(fields.Nested(TimelineEntrySchema), metadata={"description": "Newest first."})


class ServiceRequestInSchema(InputSchema):
    """Nothing is checked here: the service names every bad field at once."""

    customer_id = as_sent("integer", "Required; a customer you can see. Read-only once filed.")
    type = as_sent("string", "Required.", enum=list(codes.TYPES))
    priority = as_sent("string", "Default: normal. Changing it moves the due times.", enum=list(codes.PRIORITIES))
    channel = as_sent("string", "Optional.", enum=list(codes.CHANNELS))
    subject = as_sent("string", "Optional; at most 200 characters.")
    description = as_sent("string", "Required.")
    contact_id = as_sent("integer", "Optional; a contact of the customer.")
    deal_id = as_sent("integer", "Optional; a deal of the customer that you can see.")
    assignee_id = as_sent("integer", "Optional; an active colleague whose role works with service requests. "
                                     "Null: the service queue.")


class NoteInSchema(InputSchema):
    body = as_sent("string", "Required.")


class TransitionInSchema(InputSchema):
    status = as_sent("string", f"Required. The flow: {FLOW}.", enum=list(codes.STATUSES))
    resolution = as_sent("string", "Required to resolve; to close unless given when resolving.")
    satisfaction = as_sent("integer", "Closing only: the customer's score, 1-5.")
    return_visit_at = as_sent("date-time", "Closing only: a return visit (回访) task at that time for the assignee. "
                                           "Without an offset: China time.")


class ServiceRequestListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(["open", *codes.STATUSES]), metadata={
        "description": "open: new, in progress or waiting for the customer."})
    type = fields.String(validate=validate.OneOf(list(codes.TYPES)))
    priority = fields.String(validate=validate.OneOf(list(codes.PRIORITIES)))
    assignee_id = fields.Integer()
    customer_id = fields.Integer()
    overdue = fields.Boolean(metadata={"description": "true: only the overdue ones."})
    q = fields.String(metadata={"description": "Request number, customer name or customer number."})


def _request(request_id):
    return found_or_404(get_visible_request(current_user, request_id))


def _with_timeline(req):
    """The request as ``ServiceRequestDetailSchema`` reads it: with its timeline."""
    req.timeline = timeline(req)
    return req


@bp.route("/service-requests", methods=["GET"])
@bp.arguments(ServiceRequestListArgs, location="query")
@bp.response(200, page_schema(ServiceRequestSchema, "ServiceRequestPage"))
def list_requests(args):
    """The requests the caller may see, newest first"""
    filters = {key: args.get(key) for key in ("status", "type", "priority", "assignee_id", "customer_id", "q")}
    return page_of(search_requests(current_user, overdue=bool(args.get("overdue")), **filters), NEWEST, args)


@bp.route("/service-requests", methods=["POST"])
@bp.arguments(ServiceRequestInSchema)
@bp.response(201, ServiceRequestDetailSchema)
def create(data):
    """File a service request (status new; due times from its priority)"""
    return _with_timeline(create_request(data, actor=current_user))


@bp.route("/service-requests/<int:request_id>", methods=["GET"])
@bp.response(200, ServiceRequestDetailSchema)
@bp.alt_response(404, description="No such request, or not one the caller may see.")
def get(request_id):
    """One request with its timeline"""
    return _with_timeline(_request(request_id))


@bp.route("/service-requests/<int:request_id>", methods=["PATCH"])
@bp.arguments(ServiceRequestInSchema)
@bp.response(200, ServiceRequestDetailSchema)
@bp.alt_response(404, description="No such request, or not one the caller may see.")
def patch(data, request_id):
    """Change type, priority, channel, subject, description, contact, deal or assignee (each on the timeline)"""
    return _with_timeline(update_request(_request(request_id), data, actor=current_user))


@bp.route("/service-requests/<int:request_id>/notes", methods=["POST"])
@bp.arguments(NoteInSchema)
@bp.response(201, TimelineEntrySchema)
@bp.alt_response(404, description="No such request, or not one the caller may see.")
def note(data, request_id):
    """Add a note to the request's timeline"""
    return add_note(_request(request_id), data.get("body"), actor=current_user)


@bp.route("/service-requests/<int:request_id>/transition", methods=["POST"])
@bp.arguments(TransitionInSchema)
@bp.response(200, ServiceRequestDetailSchema)
@bp.alt_response(409, description="The request cannot go to that status from where it stands: `errors.status` "
                                  "says why, `allowed` lists where it may go. Reopening is in_progress from "
                                  "resolved or closed.")
@bp.alt_response(404, description="No such request, or not one the caller may see.")
def move(data, request_id):
    """Move the request along its flow (new, in_progress, waiting_customer, resolved, closed; reopen)"""
    req = _request(request_id)
    transition(req, data.get("status"), actor=current_user, resolution=data.get("resolution"),
               satisfaction=data.get("satisfaction"), return_visit_at=data.get("return_visit_at"))
    return _with_timeline(req)
