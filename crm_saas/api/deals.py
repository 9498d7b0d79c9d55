"""Deals: list, create, read, edit, move, history, by the board's own rules (API.md ``deals``).

The services decide (``deals.create_deal``, ``moves.patch_deal``/``move_deal``);
their ``DealError`` becomes the 422, so a lost stage without a reason is
refused here exactly as on the kanban board, and a change made from a stale
version (``StaleDeal``) is a 409 here as it is a snap-back there.
"""
import marshmallow as ma
from flask import request
from flask_login import current_user
from marshmallow import fields

from crm_saas.api import api_blueprint
from crm_saas.api.paging import PageArgs, page, page_schema
from crm_saas.api.schemas import (
    DealCreateSchema,
    DealMoveSchema,
    DealPatchSchema,
    DealSchema,
)
from crm_saas.blueprints.customers.services import get_visible_customer
from crm_saas.blueprints.pipeline.services import get_visible_deal, stage_history
from crm_saas.blueprints.pipeline.services.deal_list import SORTS, list_deals
from crm_saas.blueprints.pipeline.services.deals import create_deal as create
from crm_saas.blueprints.pipeline.services.moves import move_deal as move
from crm_saas.blueprints.pipeline.services.moves import patch_deal as patch
from crm_saas.core.views import found_or_404

bp = api_blueprint("api_deals", __name__, "Deals on the pipeline.", module="deals")


class DealListArgs(PageArgs):
    q = fields.String(metadata={"description": "Part of the deal's or its customer's name."})
    pipeline_id = fields.Integer()
    stage_id = fields.Integer()
    customer_id = fields.Integer()
    owner_id = fields.Integer()
    team = fields.Integer(metadata={"description": "A person's id: deals of them and everyone below them."})
    close_from = fields.Date()
    close_to = fields.Date()
    amount_min = fields.Decimal(as_string=True)
    amount_max = fields.Decimal(as_string=True)
    sort = fields.String(load_default="-created_at", validate=ma.validate.OneOf(list(SORTS)),
                         metadata={"enum": list(SORTS)})


class StageChangeSchema(ma.Schema):
    id = fields.Integer()
    from_stage_id = fields.Integer(allow_none=True)
    to_stage_id = fields.Integer()
    moved_by = fields.Integer(attribute="moved_by_id", allow_none=True)
    moved_at = fields.DateTime()
    lost_reason = fields.String(allow_none=True)


DealPageSchema = page_schema(DealSchema, "DealPage")


def _visible(deal_id):
    return found_or_404(get_visible_deal(current_user, deal_id))


@bp.route("/deals", methods=["GET"])
@bp.arguments(DealListArgs, location="query")
@bp.response(200, DealPageSchema)
def list_all(args):
    """The deals the caller may see, filtered and sorted (newest first by default)"""
    paging = {"page": args.pop("page"), "per_page": args.pop("per_page")}
    q, sort = args.pop("q", None), args.pop("sort")
    return page(*list_deals(current_user, args, q, sort, paging["page"], paging["per_page"]), paging)


@bp.route("/deals", methods=["POST"])
@bp.arguments(DealCreateSchema)
@bp.response(201, DealSchema)
def create_deal(data):
    """Add a deal on a visible customer; it starts in the chosen (or first open) stage"""
    body = request.get_json()
    customer_id = data.get("customer_id")
    # An invisible customer is reported as a bad field (422), never as 403, which would confirm it exists.
    customer = get_visible_customer(current_user, customer_id) if customer_id else None
    return create(body, actor=current_user, customer=customer)


@bp.route("/deals/<int:deal_id>", methods=["GET"])
@bp.response(200, DealSchema)
@bp.alt_response(404, description="No such deal, or not one the caller may see.")
def get_deal(deal_id):
    """One deal"""
    return _visible(deal_id)


@bp.route("/deals/<int:deal_id>", methods=["PATCH"])
@bp.arguments(DealPatchSchema)
@bp.response(200, DealSchema)
@bp.alt_response(404, description="No such deal, or not one the caller may see.")
@bp.alt_response(409, description="The deal changed since `version`: nothing was changed.")
def patch_deal(data, deal_id):
    """Change some fields (each logged with the optional reason); a new stage_id moves the deal"""
    body = {k: v for k, v in request.get_json().items() if k in data}
    return patch(_visible(deal_id), body, actor=current_user)


@bp.route("/deals/<int:deal_id>/move", methods=["POST"])
@bp.arguments(DealMoveSchema)
@bp.response(200, DealSchema)
@bp.alt_response(404, description="No such deal, or not one the caller may see.")
@bp.alt_response(409, description="The deal changed since `version`: it was not moved.")
def move_deal(data, deal_id):
    """Move a deal to a stage (and a place in its column); a lost stage needs lost_reason"""
    result = move(current_user, deal_id, data.get("stage_id"), index=data.get("position"),
                  lost_reason=data.get("lost_reason"), version=data.get("version"))
    return found_or_404(result)[0]


@bp.route("/deals/<int:deal_id>/history", methods=["GET"])
@bp.response(200, StageChangeSchema(many=True))
@bp.alt_response(404, description="No such deal, or not one the caller may see.")
def history(deal_id):
    """Every stage change of the deal, oldest first (D5)"""
    return stage_history(_visible(deal_id))
