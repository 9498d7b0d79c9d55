"""Marketing campaigns (市场活动), their members, cost and ROI. (API.md ``campaigns``).

Every holder of the ``campaigns`` module reads every campaign of the
company with totals counted over all of its records (members, customers,
deals, won amount, ROI), as marketing needs its whole return; a campaign's
member list names only the customers the caller sees. Its owner, admins and
settings managers change it and its members (403 for others). The service
judges every field at once: one 422 naming each bad field.
"""
import marshmallow as ma
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import fields, validate

from crm_saas.api import api_blueprint
from crm_saas.api.activities import as_sent
from crm_saas.api.errors import api_abort
from crm_saas.api.paging import PageArgs, page, page_schema
from crm_saas.api.schemas import InputSchema, Money
from crm_saas.blueprints.campaigns.services.campaigns import (
    SORTS,
    CampaignError,
    create_campaign,
    get_campaign,
    list_campaigns,
    may_edit,
    update_campaign,
)
from crm_saas.blueprints.campaigns.services.codes import CHANNELS, MEMBER_STATUSES, STATUSES
from crm_saas.blueprints.campaigns.services.figures import figures_for, figures_of
from crm_saas.blueprints.campaigns.services.members import add_customers, add_from_segment, members_page
from crm_saas.core.views import found_or_404

bp = api_blueprint("api_campaigns", __name__, "Marketing campaigns (市场活动), their members, cost and ROI.",
                   module="campaigns")


class CampaignSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    channel = fields.String(metadata={"enum": list(CHANNELS)})
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    budget = Money(allow_none=True)
    cost = Money(allow_none=True, metadata={"description": "The actual cost so far; ROI divides by it."})
    status = fields.String(metadata={"enum": list(STATUSES)})
    owner_id = fields.Integer()
    members = fields.Integer(metadata={"description": "Every member, whoever owns the customer."})
    customers = fields.Integer(metadata={"description": "Customers that came from it (campaign_id), not deleted."})
    deals = fields.Integer(metadata={"description": "Deals that came from it (campaign_id), not deleted."})
    won_amount = Money(metadata={"description": "The amount of its deals in a won stage."})
    roi = fields.Decimal(places=2, as_string=True, allow_none=True, metadata={
        "description": "won_amount / cost, e.g. \"3.50\"; null while the cost is 0 or unset."})


class CampaignInSchema(InputSchema):
    """Taken as sent: the service names every bad or missing field in one 422. Any subset on PATCH."""

    name = as_sent("string", "Required on creation; at most 200 characters.")
    channel = as_sent("string", "Required on creation.", enum=list(CHANNELS))
    starts_on = as_sent("string", "YYYY-MM-DD.", format="date")
    ends_on = as_sent("string", "YYYY-MM-DD; not before starts_on.", format="date")
    budget = as_sent("string", "0 or more (a decimal string or a number).", format="decimal")
    cost = as_sent("string", "0 or more (a decimal string or a number).", format="decimal")
    status = as_sent("string", "Default: planned.", enum=list(STATUSES))
    owner_id = as_sent("integer", "An active colleague. Default: the caller.")


class CampaignListArgs(PageArgs):
    q = fields.String(metadata={"description": "Part of the name."})
    status = fields.String(validate=validate.OneOf(list(STATUSES)))
    channel = fields.String(validate=validate.OneOf(list(CHANNELS)))
    owner_id = fields.Integer()
    sort = fields.String(load_default="-created_at", validate=validate.OneOf(list(SORTS)),
                         metadata={"enum": list(SORTS), "description": "A leading - sorts descending."})


class MemberSchema(ma.Schema):
    customer_id = fields.Integer()
    status = fields.String(metadata={"enum": list(MEMBER_STATUSES)})
    added_at = fields.DateTime()
    responded_at = fields.DateTime(allow_none=True, metadata={"description": "When the first answer came."})


class MemberListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(list(MEMBER_STATUSES)))


class MembersInSchema(InputSchema):
    customer_ids = as_sent("array", "Customers the caller sees (all or nothing); or segment_id.",
                           items={"type": "integer"})
    segment_id = as_sent("integer", "A segment the caller sees: its customers the caller sees join, and the "
                                    "campaign remembers it (sending it again re-syncs: only newcomers are added).")


class MembersAddedSchema(ma.Schema):
    added = fields.Integer(metadata={"description": "How many customers joined (members already in stay as "
                                                    "they were, status included)."})
    customer_ids = fields.List(fields.Integer(), metadata={"description": "The customers that joined."})
    members = fields.Integer(metadata={"description": "The campaign's members now, in all."})


def campaign_data(campaign, figures):
    return {"id": campaign.id, "name": campaign.name, "channel": campaign.channel, "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on, "budget": campaign.budget, "cost": campaign.cost,
            "status": campaign.status, "owner_id": campaign.owner_id, "members": figures.members,
            "customers": figures.customers, "deals": figures.deals, "won_amount": figures.won_amount,
            "roi": figures.roi}


def _campaign(campaign_id, *, edit=False):
    campaign = found_or_404(get_campaign(campaign_id))
    if edit and not may_edit(current_user, campaign):
        api_abort(403)
    return campaign


@bp.route("/campaigns", methods=["GET"])
@bp.arguments(CampaignListArgs, location="query")
@bp.response(200, page_schema(CampaignSchema, "CampaignPage"))
def list_all(args):
    """Every campaign of the company with its figures, newest first"""
    rows, total = list_campaigns(args, sort=args["sort"], page=args["page"], per_page=args["per_page"])
    figures = figures_for(rows)
    return page([campaign_data(c, figures[c.id]) for c in rows], total, args)


@bp.route("/campaigns", methods=["POST"])
@bp.arguments(CampaignInSchema)
@bp.response(201, CampaignSchema)
def create(data):
    """Add a campaign (the caller owns it unless owner_id says otherwise)"""
    campaign = create_campaign(data, actor=current_user)
    return campaign_data(campaign, figures_of(campaign))


@bp.route("/campaigns/<int:campaign_id>", methods=["GET"])
@bp.response(200, CampaignSchema)
@bp.alt_response(404, description="No such campaign.")
def get(campaign_id):
    """One campaign with its figures"""
    campaign = _campaign(campaign_id)
    return campaign_data(campaign, figures_of(campaign))


@bp.route("/campaigns/<int:campaign_id>", methods=["PATCH"])
@bp.arguments(CampaignInSchema)
@bp.response(200, CampaignSchema)
@bp.alt_response(403, description="Only the owner, admins and settings managers change a campaign.")
@bp.alt_response(404, description="No such campaign.")
def patch(data, campaign_id):
    """Change some fields (the dates are judged together: the end not before the start)"""
    campaign = update_campaign(_campaign(campaign_id, edit=True), data, actor=current_user)
    return campaign_data(campaign, figures_of(campaign))


@bp.route("/campaigns/<int:campaign_id>/members", methods=["GET"])
@bp.arguments(MemberListArgs, location="query")
@bp.response(200, page_schema(MemberSchema, "CampaignMemberPage"))
@bp.alt_response(404, description="No such campaign.")
def members(args, campaign_id):
    """The members whose customers the caller sees, newest first (the campaign's `members` counts them all)"""
    rows, total = members_page(_campaign(campaign_id), current_user, status=args.get("status"),
                               page=args["page"], per_page=args["per_page"])
    return page(rows, total, args)


@bp.route("/campaigns/<int:campaign_id>/members", methods=["POST"])
@bp.arguments(MembersInSchema)
@bp.response(200, MembersAddedSchema)
@bp.alt_response(403, description="Only the owner, admins and settings managers change the members.")
@bp.alt_response(404, description="No such campaign.")
def add_members(data, campaign_id):
    """Add customers by id, or every customer of a segment the caller sees (a re-sync adds only newcomers)"""
    campaign = _campaign(campaign_id, edit=True)
    by_segment = data.get("segment_id") is not None
    if by_segment == (data.get("customer_ids") is not None):
        raise CampaignError({"customer_ids": [_("Send customer_ids or segment_id, not both.")]})
    if by_segment:
        added = add_from_segment(campaign, data["segment_id"], actor=current_user)
    else:
        added = add_customers(campaign, data["customer_ids"], actor=current_user)
    return {"added": len(added), "customer_ids": sorted(added), "members": figures_of(campaign).members}
