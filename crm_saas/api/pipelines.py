"""Pipelines and their boards; the board's totals count only the deals the caller may see."""
from flask import request
from flask_login import current_user

from crm_saas.api import api_blueprint
from crm_saas.api.schemas import BoardSchema, PipelineSchema
from crm_saas.blueprints.pipeline import services
from crm_saas.blueprints.pipeline.services import board as board_service
from crm_saas.core.views import found_or_404

bp = api_blueprint("api_pipelines", __name__, "Pipelines, their stages and boards.", module="deals")


@bp.route("/pipelines", methods=["GET"])
@bp.response(200, PipelineSchema(many=True))
def list_pipelines():
    """Every pipeline with its stages in order"""
    return services.list_pipelines()


@bp.route("/pipelines/<int:pipeline_id>/board", methods=["GET"])
@bp.response(200, BoardSchema)
@bp.alt_response(404, description="No such pipeline.")
def board(pipeline_id):
    """Each stage with the count, amount and weighted amount of the visible deals in it, and its first 50 cards

    Filters as on the board: owner_id, team (a person's id: them and their subtree), close_from, close_to,
    amount_min, amount_max.
    """
    pipeline = found_or_404(services.get_pipeline(pipeline_id))
    columns = board_service.board(pipeline, current_user, board_service.read_filters(request.args))
    return {"stages": [
        {"id": c["stage"].id, "name": c["stage"].name, "kind": c["stage"].kind, "count": c["count"],
         "amount": c["amount"], "weighted": c["weighted"], "more": c["more"], "deals": c["deals"]}
        for c in columns
    ]}
