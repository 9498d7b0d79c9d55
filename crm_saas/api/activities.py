"""Follow-ups (API.md ``activities``): list, record, read, edit, by the same rules as the follow-up form.

Input fields are taken as sent and judged by ``activities.services`` alone,
so a wrong type and a broken rule come back together in one 422 naming
every bad field. A follow-up is seen by whoever sees its customer; a
customer or deal named in a filter that the caller cannot see is a 404.
"""
from datetime import date, timedelta

import marshmallow as ma
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import fields, validate

from crm_saas.api import api_blueprint
from crm_saas.api.errors import api_abort
from crm_saas.api.paging import PageArgs, page_of, page_schema
from crm_saas.api.schemas import InputSchema, of_visible_records
from crm_saas.blueprints.activities import services
from crm_saas.blueprints.activities.models import Activity
from crm_saas.blueprints.activities.services.times import day_start, parse_time
from crm_saas.core.views import found_or_404

bp = api_blueprint("api_activities", __name__, "Follow-ups (跟进) on customers and deals.", module="customers")

TIME = {"type": "string", "format": "date-time"}


class ActivitySchema(ma.Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    deal_id = fields.Integer(allow_none=True)
    type = fields.String(metadata={"enum": list(services.TYPES)})
    occurred_at = fields.DateTime()
    duration_minutes = fields.Integer(allow_none=True)
    participants = fields.String(allow_none=True)
    summary = fields.String()
    feedback = fields.String(allow_none=True)
    offer = fields.String(allow_none=True)
    next_action = fields.String(allow_none=True)
    next_follow_up_at = fields.DateTime(allow_none=True)
    created_by = fields.Integer(attribute="created_by_id", metadata={"description": "Staff id of the author."})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    written_late = fields.Boolean(metadata={"description": "Recorded more than 24 hours after it happened."})


def as_sent(kind, description=None, **schema):
    """An input field taken as sent (null included); its OpenAPI type is ``kind`` ("integer", "date-time" ...)."""
    schema = {**(TIME if kind == "date-time" else {"type": kind}), **schema}
    if description:
        schema["description"] = description
    return fields.Raw(allow_none=True, metadata=schema)


class ActivityInSchema(InputSchema):
    """What a follow-up takes. Nothing is checked here: the service names every bad field at once."""

    customer_id = as_sent("integer", "Required; a customer you can see.")
    deal_id = as_sent("integer", "Optional; a deal of that customer.")
    type = as_sent("string", "Required.", enum=list(services.TYPES))
    occurred_at = as_sent("date-time", "Required. In the past (visits and meetings may be booked ahead). "
                                       "Without an offset: China time.")
    duration_minutes = as_sent("integer", minimum=0, maximum=services.DURATION_MAX)
    participants = as_sent("string")
    summary = as_sent("string", "Required.")
    feedback = as_sent("string", "The customer's feedback.")
    offer = as_sent("string", "What we offered.")
    next_action = as_sent("string", "Next step; titles the reminder task.")
    next_follow_up_at = as_sent("date-time", "After occurred_at; makes a task for the customer's owner, due then.")


class ActivityListArgs(PageArgs):
    customer_id = fields.Integer()
    deal_id = fields.Integer()
    type = fields.String(validate=validate.OneOf(list(services.TYPES)), metadata={"enum": list(services.TYPES)})
    from_ = fields.String(data_key="from", metadata={**TIME, "description": "Occurred at or after (a date: from "
                                                                           "its start, China time)."})
    to = fields.String(metadata={**TIME, "description": "Occurred at or before (a date: to its end, China time)."})


ActivityPageSchema = page_schema(ActivitySchema, "ActivityPage")


def time_bound(value, name, *, end=False):
    """A list filter's bound: a time, or a day meaning its start (``from``) or its end (``to``)."""

    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        parsed = parse_time(value)
        if parsed is None:
            api_abort(422, errors={name: [_("Enter a date or a date and time (ISO 8601).")]})
        return parsed
    return day_start(day + timedelta(days=1)) - timedelta(microseconds=1) if end else day_start(day)


@bp.route("/activities", methods=["GET"])
@bp.arguments(ActivityListArgs, location="query")
@bp.response(200, ActivityPageSchema)
@bp.alt_response(404, description="customer_id or deal_id names a record the caller may not see.")
def list_activities(args):
    """The follow-ups the caller may see, newest first"""
    stmt = of_visible_records(services.visible_activities(current_user), Activity, args)
    if "type" in args:
        stmt = stmt.where(Activity.type == args["type"])
    start, end = time_bound(args.get("from_"), "from"), time_bound(args.get("to"), "to", end=True)
    if start is not None:
        stmt = stmt.where(Activity.occurred_at >= start)
    if end is not None:
        stmt = stmt.where(Activity.occurred_at <= end)
    return page_of(stmt, (Activity.occurred_at.desc(), Activity.id.desc()), args)


@bp.route("/activities", methods=["POST"])
@bp.arguments(ActivityInSchema)
@bp.response(201, ActivitySchema)
def create_activity(data):
    """Record a follow-up; a next_follow_up_at makes a task for the customer's owner"""
    activity, _task = services.record_activity(data, actor=current_user)
    return activity


def _visible_or_404(activity_id):
    return found_or_404(services.get_visible_activity(current_user, activity_id))


@bp.route("/activities/<int:activity_id>", methods=["GET"])
@bp.response(200, ActivitySchema)
@bp.alt_response(404, description="No such follow-up, or its customer is not one the caller may see.")
def get_activity(activity_id):
    """One follow-up"""
    return _visible_or_404(activity_id)


@bp.route("/activities/<int:activity_id>", methods=["PATCH"])
@bp.arguments(ActivityInSchema)
@bp.response(200, ActivitySchema)
@bp.alt_response(403, description="Visible, but only its author and the customer's owner and those above may edit it.")
@bp.alt_response(404, description="No such follow-up, or its customer is not one the caller may see.")
def patch_activity(data, activity_id):
    """Change some fields; a changed next_follow_up_at moves the open task"""
    activity = _visible_or_404(activity_id)
    if not services.may_edit(current_user, activity):
        api_abort(403)
    services.update_activity(activity, data, actor=current_user)
    return activity
