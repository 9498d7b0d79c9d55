"""Tasks (API.md ``tasks``): list, add, change, tick off. Seen by the assignee and those above them.

Input is judged by ``activities.tasks`` alone, so the API and the agenda
refuse the same things; every bad field is named in one 422.
"""
import marshmallow as ma
from flask_login import current_user
from marshmallow import fields

from crm_saas.api import api_blueprint
from crm_saas.api.activities import TIME, as_sent, time_bound
from crm_saas.api.paging import PageArgs, page_of, page_schema
from crm_saas.api.schemas import InputSchema, of_visible_records
from crm_saas.blueprints.activities.models import Task
from crm_saas.blueprints.activities.services import tasks as services
from crm_saas.core.views import found_or_404

bp = api_blueprint("api_tasks", __name__, "Tasks and reminders (提醒).")


class TaskSchema(ma.Schema):
    id = fields.Integer()
    title = fields.String()
    due_at = fields.DateTime()
    customer_id = fields.Integer(allow_none=True)
    deal_id = fields.Integer(allow_none=True)
    assignee_id = fields.Integer()
    done = fields.Boolean()
    activity_id = fields.Integer(allow_none=True, metadata={"description": "The follow-up whose next time made it."})
    done_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class TaskInSchema(InputSchema):
    """Nothing is checked here: the service names every bad field at once."""

    title = as_sent("string", "Required; at most 200 characters.")
    due_at = as_sent("date-time", "Required. Without an offset: China time.")
    customer_id = as_sent("integer", "Optional; a customer you can see.")
    deal_id = as_sent("integer", "Optional; a deal you can see (of the customer, if one is given).")
    assignee_id = as_sent("integer", "Default: the caller. Yourself or someone you manage.")
    done = as_sent("boolean")


class TaskListArgs(PageArgs):
    assignee_id = fields.Integer()
    customer_id = fields.Integer()
    deal_id = fields.Integer()
    done = fields.Boolean()
    due_before = fields.String(metadata={**TIME, "description": "Due at or before (a date: by its end, China time)."})
    due_after = fields.String(metadata={**TIME, "description": "Due at or after (a date: from its start)."})


TaskPageSchema = page_schema(TaskSchema, "TaskPage")


@bp.route("/tasks", methods=["GET"])
@bp.arguments(TaskListArgs, location="query")
@bp.response(200, TaskPageSchema)
@bp.alt_response(404, description="customer_id or deal_id names a record the caller may not see.")
def list_tasks(args):
    """The tasks the caller may see (their own and their people's), soonest due first"""
    stmt = of_visible_records(services.visible_tasks(current_user), Task, args)
    if "assignee_id" in args:
        stmt = stmt.where(Task.assignee_id == args["assignee_id"])
    if "done" in args:
        stmt = stmt.where(Task.done.is_(args["done"]))
    after, before = time_bound(args.get("due_after"), "due_after"), \
        time_bound(args.get("due_before"), "due_before", end=True)
    if after is not None:
        stmt = stmt.where(Task.due_at >= after)
    if before is not None:
        stmt = stmt.where(Task.due_at <= before)
    return page_of(stmt, (Task.due_at, Task.id), args)


@bp.route("/tasks", methods=["POST"])
@bp.arguments(TaskInSchema)
@bp.response(201, TaskSchema)
def create_task(data):
    """Add a task (for yourself unless assignee_id names someone you manage)"""
    return services.create_task(data, actor=current_user)


@bp.route("/tasks/<int:task_id>", methods=["PATCH"])
@bp.arguments(TaskInSchema)
@bp.response(200, TaskSchema)
@bp.alt_response(404, description="No such task, or not one the caller may see.")
def patch_task(data, task_id):
    """Change some fields; "done": true ticks it off, a new due_at is reminded again"""
    task = found_or_404(services.get_visible_task(current_user, task_id))
    return services.update_task(task, data, actor=current_user)
