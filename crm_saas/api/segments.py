"""Segments: saved customer filters with a live count. (API.md ``segments``).

``filters`` holds the customer list's query parameters (q, type, industry,
source, category, status, province, city, district, size, created_from,
created_to, tag (a list), owner_id, sort, and ``cf-<key>`` for custom
fields); the ready-made 沉睡客户 segment holds ``{"days": N}`` instead. The
count and the customers are the caller's own: the customers they see in it,
so ``count`` equals the total of ``/segments/{id}/customers``. A private
segment of someone else is a 404; a shared one that is not the caller's
to change a 403.
"""
import marshmallow as ma
from flask_login import current_user
from marshmallow import fields, validate

from crm_saas.api import api_blueprint
from crm_saas.api.activities import as_sent
from crm_saas.api.customers import CustomerPageSchema
from crm_saas.api.errors import api_abort
from crm_saas.api.paging import PageArgs, page, page_of, page_schema
from crm_saas.api.schemas import InputSchema
from crm_saas.blueprints.campaigns.models import Segment
from crm_saas.blueprints.campaigns.services.audience import segment_count, segment_customers
from crm_saas.blueprints.campaigns.services.segments import (
    create_segment,
    delete_segment,
    get_segment_for,
    may_delete_segment,
    may_edit_segment,
    update_segment,
    visible_segments,
)
from crm_saas.blueprints.customers.services.search import SORTS
from crm_saas.core.views import found_or_404

bp = api_blueprint("api_segments", __name__, "Segments: saved customer filters with a live count.", module="campaigns")


class SegmentSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    filters = fields.Dict(metadata={"description": "The customer list's query parameters (tag a list); the "
                                                   "ready-made 沉睡客户 segment: {\"days\": N}."})
    shared = fields.Boolean(metadata={"description": "Shared with the owner's team (everyone above and below "
                                                     "them); false: the owner's alone."})
    count = fields.Integer(metadata={"description": "The customers the caller sees in it, now."})


class SegmentInSchema(InputSchema):
    """Taken as sent: the service names every bad field in one 422. Any subset on PATCH."""

    name = as_sent("string", "Required on creation; at most 100 characters.")
    filters = as_sent("object", "The whole new filter (replaces the old one).")
    shared = as_sent("boolean", "Default: false.")


class SegmentCustomerArgs(PageArgs):
    sort = fields.String(validate=validate.OneOf(list(SORTS)), metadata={
        "enum": list(SORTS), "description": "Default: the segment's own order (its sort filter)."})


def segment_data(segment):
    return {"id": segment.id, "name": segment.name, "filters": segment.filters or {}, "shared": segment.shared,
            "count": segment_count(segment, current_user)}


def _segment(segment_id, *, may=None):
    segment = found_or_404(get_segment_for(current_user, segment_id))
    if may and not may(current_user, segment):
        api_abort(403)
    return segment


@bp.route("/segments", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_schema(SegmentSchema, "SegmentPage"))
def list_all(args):
    """The caller's segments and those shared with them, each with its live count"""
    result = page_of(visible_segments(current_user), (Segment.name, Segment.id), args)
    result["items"] = [segment_data(segment) for segment in result["items"]]
    return result


@bp.route("/segments", methods=["POST"])
@bp.arguments(SegmentInSchema)
@bp.response(201, SegmentSchema)
def create(data):
    """Save a customer filter under a name (private unless shared)"""
    return segment_data(create_segment(data, actor=current_user))


@bp.route("/segments/<int:segment_id>", methods=["GET"])
@bp.response(200, SegmentSchema)
@bp.alt_response(404, description="No such segment, or not one the caller sees.")
def get(segment_id):
    """One segment with its live count"""
    return segment_data(_segment(segment_id))


@bp.route("/segments/<int:segment_id>", methods=["PATCH"])
@bp.arguments(SegmentInSchema)
@bp.response(200, SegmentSchema)
@bp.alt_response(403, description="Only its owner and admins change a segment (the ready-made one: admins and "
                                  "settings managers, its name and days).")
@bp.alt_response(404, description="No such segment, or not one the caller sees.")
def patch(data, segment_id):
    """Rename, share, or give a segment new filters"""
    return segment_data(update_segment(_segment(segment_id, may=may_edit_segment), data, actor=current_user))


@bp.route("/segments/<int:segment_id>", methods=["DELETE"])
@bp.response(204)
@bp.alt_response(403, description="Only its owner and admins delete a segment; the ready-made one stays.")
@bp.alt_response(404, description="No such segment, or not one the caller sees.")
def remove(segment_id):
    """Delete a segment (campaigns filled from it keep their members)"""
    delete_segment(_segment(segment_id, may=may_delete_segment), actor=current_user)


@bp.route("/segments/<int:segment_id>/customers", methods=["GET"])
@bp.arguments(SegmentCustomerArgs, location="query")
@bp.response(200, CustomerPageSchema)
@bp.alt_response(404, description="No such segment, or not one the caller sees.")
def customers(args, segment_id):
    """The segment's customers the caller sees, as the customer list gives them"""
    rows, total = segment_customers(_segment(segment_id), current_user, page=args["page"],
                                    per_page=args["per_page"], sort=args.get("sort"))
    return page(rows, total, args)
