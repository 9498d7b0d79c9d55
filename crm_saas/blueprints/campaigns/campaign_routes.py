"""Campaign pages: the company's campaigns with their figures, adding and editing one, one campaign's page."""
from flask import flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm_saas.blueprints.campaigns.blueprint import bp, campaign_or_404
from crm_saas.blueprints.campaigns.forms import campaign_data
from crm_saas.blueprints.campaigns.services import codes
from crm_saas.blueprints.campaigns.services.campaigns import (
    CampaignError,
    create_campaign,
    list_campaigns,
    may_edit,
    update_campaign,
)
from crm_saas.blueprints.campaigns.services.figures import figures_for, figures_of
from crm_saas.blueprints.campaigns.services.members import brought_customers, brought_deals, members_page
from crm_saas.blueprints.campaigns.services.segments import list_segments
from crm_saas.core.htmx import redirect_to, render
from crm_saas.core.queries import page_number
from crm_saas.core.staff import picked_person

PER_PAGE = 50
LIST_FILTERS = ("q", "status", "channel")


@bp.route("/campaigns/")
@login_required
def index():
    filters = {key: request.args.get(key, "").strip() for key in LIST_FILTERS}
    owner = request.args.get("owner_id", "")
    filters["owner_id"] = int(owner) if owner.isdigit() else None
    page = page_number(request.args.get("page", "1"))
    campaigns, total = list_campaigns(filters, page=page, per_page=PER_PAGE)
    params = {key: value for key, value in request.args.items() if key in (*LIST_FILTERS, "owner_id") and value}
    return render("campaigns/index.html", "campaigns/_list.html", campaigns=campaigns, total=total, page=page,
                  per_page=PER_PAGE, figures=figures_for(campaigns), filters=filters, params=params, codes=codes,
                  chosen_owner=picked_person(current_user, "visible", filters["owner_id"]))


def _form(campaign, status=200, errors=None, values=None):
    values = values if values is not None else {}
    owner_id = values.get("owner_id") if "owner_id" in values else (campaign.owner_id if campaign else current_user.id)
    return render_template("campaigns/form.html", campaign=campaign, errors=errors or {}, values=values,
                           codes=codes, owner=picked_person(current_user, "active", owner_id)), status


@bp.route("/campaigns/new", methods=["GET", "POST"])
@login_required
def new():
    if request.method == "GET":
        return _form(None)
    data = campaign_data(request.form)
    try:
        campaign = create_campaign(data, actor=current_user)
    except CampaignError as err:
        return _form(None, 422, err.errors, data)
    flash(_("Campaign %(name)s has been saved.", name=campaign.name), "success")
    return redirect_to(url_for("campaigns.detail", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@login_required
def edit(campaign_id):
    campaign = campaign_or_404(campaign_id, edit=True)
    if request.method == "GET":
        return _form(campaign)
    data = campaign_data(request.form)
    try:
        update_campaign(campaign, data, actor=current_user)
    except CampaignError as err:
        return _form(campaign, 422, err.errors, data)
    flash(_("Campaign %(name)s has been saved.", name=campaign.name), "success")
    return redirect_to(url_for("campaigns.detail", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>")
@login_required
def detail(campaign_id):
    campaign = campaign_or_404(campaign_id)
    return render_template("campaigns/detail.html", **detail_context(campaign))


def detail_context(campaign, **extra):
    """The campaign page: its totals (everything), and the members, customers and deals the viewer sees."""
    status = request.args.get("status", "")
    page = page_number(request.args.get("page", "1"))
    members, members_total = members_page(campaign, current_user, status=status, page=page, per_page=PER_PAGE)
    customers, customers_total = brought_customers(campaign, current_user)
    deals, deals_total = brought_deals(campaign, current_user)
    editor = may_edit(current_user, campaign)
    return dict(campaign=campaign, figures=figures_of(campaign), codes=codes, editor=editor,
                members=members, members_total=members_total, member_status=status, page=page, per_page=PER_PAGE,
                customers=customers, customers_total=customers_total, deals=deals, deals_total=deals_total,
                segments=list_segments(current_user) if editor else [], **extra)
