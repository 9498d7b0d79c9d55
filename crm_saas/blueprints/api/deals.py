"""Deals: creating them and moving them between stages, by the board's own rules.

The services decide (``create_deal``, ``move_deal``); their ``DealError``
becomes the 422, so a lost stage without a reason is refused here exactly
as on the kanban board.
"""
from flask_login import current_user

from crm_saas.blueprints.api import api_blueprint
from crm_saas.blueprints.api.errors import api_abort
from crm_saas.blueprints.api.schemas import DealCreateSchema, DealMoveSchema, DealSchema
from crm_saas.blueprints.customers.services import get_visible_customer
from crm_saas.blueprints.pipeline import services

bp = api_blueprint("api_deals", __name__, "Deals on the pipeline.")


@bp.route("/deals", methods=["POST"])
@bp.arguments(DealCreateSchema)
@bp.response(201, DealSchema)
def create_deal(data):
    """Add a deal on a visible customer; it starts in the chosen (or first) stage"""
    data = {key: value for key, value in data.items() if value is not None}
    customer_id = data.get("customer_id")
    # An invisible customer is reported as a bad field (422), never as 403, which would confirm it exists.
    customer = get_visible_customer(current_user, customer_id) if customer_id else None
    try:
        return services.create_deal(data, actor=current_user, customer=customer)
    except services.DealError as err:
        api_abort(422, errors=err.errors)


@bp.route("/deals/<int:deal_id>/move", methods=["POST"])
@bp.arguments(DealMoveSchema)
@bp.response(200, DealSchema)
@bp.alt_response(404, description="No such deal, or not one the caller may see.")
def move_deal(data, deal_id):
    """Move a deal to a stage (and a place in its column); a lost stage needs lost_reason"""
    try:
        result = services.move_deal(
            current_user, deal_id, data.get("stage_id"),
            index=data.get("position"), lost_reason=data.get("lost_reason"),
        )
    except services.DealError as err:
        api_abort(422, errors=err.errors)
    if result is None:
        api_abort(404)
    return result[0]
