"""Sales targets (API.md ``targets``): list, set, change and remove a person's or a team's goal for a period.

A target whose holder the caller does not see is a 404; one they see but
may not change (their own, their boss's team's) a 403; reps set none (403).
The service judges every field at once (one 422 naming each bad field) and
answers a second target for the same holder, period and metric with a 409
naming the one that exists (``existing_id``).
"""
import marshmallow as ma
from flask_login import current_user
from marshmallow import fields, validate

from crm_saas.api import api_blueprint
from crm_saas.api.activities import as_sent
from crm_saas.api.errors import api_abort
from crm_saas.api.paging import PageArgs, page_of, page_schema
from crm_saas.api.schemas import InputSchema, Money
from crm_saas.blueprints.reports.models import METRICS, Target
from crm_saas.blueprints.reports.services.target_periods import PERIOD
from crm_saas.blueprints.reports.services.targets import (
    create_target,
    delete_target,
    get_visible_target,
    may_change,
    may_set_targets,
    target_data,
    update_target,
    visible_targets,
)
from crm_saas.core.views import found_or_404

bp = api_blueprint("api_targets", __name__, "Sales targets (业绩目标) per person or team, by month or quarter.",
                   module="reports")


class TargetSchema(ma.Schema):
    id = fields.Integer()
    period = fields.String(metadata={"description": "YYYY-MM (a month) or YYYY-Qn (a quarter)."})
    user_id = fields.Integer(allow_none=True, metadata={"description": "The person's, or null for a team's."})
    team_id = fields.Integer(allow_none=True, metadata={
        "description": "The team's (a supervisor or admin and everyone below them), or null for a person's."})
    metric = fields.String(metadata={"enum": list(METRICS)})
    value = Money(metadata={"description": "Money for won_amount; a whole number for counts."})


class TargetInSchema(InputSchema):
    """Taken as sent: the service names every bad or missing field in one 422."""

    period = as_sent("string", "Required: YYYY-MM or YYYY-Qn.")
    user_id = as_sent("integer", "A person below the caller (anyone for admins); or team_id.")
    team_id = as_sent("integer", "A team: a supervisor or admin below the caller (any for admins); or user_id.")
    metric = as_sent("string", "Required.", enum=list(METRICS))
    value = as_sent("string", "Required: above 0, at most two decimals; whole for counts.", format="decimal")


class TargetListArgs(PageArgs):
    period = fields.String(validate=validate.Regexp(PERIOD), metadata={"description": "YYYY-MM or YYYY-Qn."})
    user_id = fields.Integer()
    team_id = fields.Integer()
    metric = fields.String(validate=validate.OneOf(METRICS))


@bp.route("/targets", methods=["GET"])
@bp.arguments(TargetListArgs, location="query")
@bp.response(200, page_schema(TargetSchema, "TargetPage"))
def list_targets(args):
    """The targets the caller sees (their own, their people's and teams'), newest period first"""
    stmt = visible_targets(current_user)
    for key in ("period", "user_id", "team_id", "metric"):
        if key in args:
            stmt = stmt.where(getattr(Target, key) == args[key])
    page = page_of(stmt, (Target.period.desc(), Target.id), args)
    page["items"] = [target_data(target) for target in page["items"]]
    return page


@bp.route("/targets", methods=["POST"])
@bp.arguments(TargetInSchema)
@bp.response(201, TargetSchema)
@bp.alt_response(403, description="Reps set no targets.")
@bp.alt_response(409, description="The holder has a target for this period and metric: `existing_id` names it.")
def create(data):
    """Set a target for a person or a team, for a month or a quarter"""
    if not may_set_targets(current_user):
        api_abort(403)
    return target_data(create_target(data, actor=current_user))


def _changeable(target_id):
    target = found_or_404(get_visible_target(current_user, target_id))
    if not may_change(current_user, target):
        api_abort(403)
    return target


@bp.route("/targets/<int:target_id>", methods=["PATCH"])
@bp.arguments(TargetInSchema)
@bp.response(200, TargetSchema)
@bp.alt_response(403, description="The caller sees the target but may not change it (their own, or a rep).")
@bp.alt_response(404, description="No such target, or not one the caller sees.")
@bp.alt_response(409, description="The holder has another target for this period and metric: `existing_id`.")
def patch(data, target_id):
    """Change a target's value, period, metric or holder"""
    return target_data(update_target(_changeable(target_id), data, actor=current_user))


@bp.route("/targets/<int:target_id>", methods=["DELETE"])
@bp.response(204)
@bp.alt_response(403, description="The caller sees the target but may not change it.")
@bp.alt_response(404, description="No such target, or not one the caller sees.")
def remove(target_id):
    """Remove a target (a team's then falls back to the sum of its people's)"""
    delete_target(_changeable(target_id), actor=current_user)
