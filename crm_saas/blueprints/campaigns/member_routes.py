"""A campaign's members: filling it from a segment, re-syncing, each member's response status, removing one."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from crm_saas.blueprints.campaigns.blueprint import bp, campaign_or_404
from crm_saas.blueprints.campaigns.campaign_routes import detail_context
from crm_saas.blueprints.campaigns.services import codes
from crm_saas.blueprints.campaigns.services.campaigns import CampaignError, may_edit
from crm_saas.blueprints.campaigns.services.members import (
    add_from_segment,
    get_member,
    remove_member,
    resync,
    set_member_status,
)
from crm_saas.core.htmx import is_htmx
from crm_saas.core.views import found_or_404


@bp.route("/campaigns/<int:campaign_id>/members")
@login_required
def members(campaign_id):
    """The members table alone (its status filter and pages swap it)."""
    campaign = campaign_or_404(campaign_id)
    return render_template("campaigns/_members.html", **detail_context(campaign))


def _added(campaign, action):
    try:
        added = action()
    except CampaignError as err:
        flash(" ".join(err.messages), "error")
    else:
        flash(ngettext("%(num)s customer added to the campaign.", "%(num)s customers added to the campaign.",
                       len(added)) if added else _("No new customers: everyone in the segment is already a member."),
              "success")
    return redirect(url_for("campaigns.detail", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/members/segment", methods=["POST"])
@login_required
def add_segment(campaign_id):
    """Every customer of the chosen segment the actor sees becomes a member; the segment is kept for re-syncs."""
    campaign = campaign_or_404(campaign_id, edit=True)
    segment_id = request.form.get("segment_id", "")
    return _added(campaign, lambda: add_from_segment(
        campaign, int(segment_id) if segment_id.isdigit() else None, actor=current_user))


@bp.route("/campaigns/<int:campaign_id>/members/resync", methods=["POST"])
@login_required
def resync_members(campaign_id):
    campaign = campaign_or_404(campaign_id, edit=True)
    return _added(campaign, lambda: resync(campaign, actor=current_user))


def _member(campaign, member_id):
    return found_or_404(get_member(campaign, current_user, member_id))


@bp.route("/campaigns/<int:campaign_id>/members/<int:member_id>/status", methods=["POST"])
@login_required
def member_status(campaign_id, member_id):
    """Set how the customer answered; answers with the member's row (it replaces itself).

    Anyone who sees the row may: the row is only there for those who see the
    customer, and the rep who called them back knows the answer best.
    """
    campaign = campaign_or_404(campaign_id)
    member = _member(campaign, member_id)
    editor = may_edit(current_user, campaign)
    error = None
    try:
        set_member_status(member, request.form.get("status", ""))
    except CampaignError as err:
        error, status = " ".join(err.messages), 422
    else:
        status = 200
    return render_template("campaigns/_member_row.html", member=member, campaign=campaign, codes=codes,
                           editor=editor, error=error), status


@bp.route("/campaigns/<int:campaign_id>/members/<int:member_id>/remove", methods=["POST"])
@login_required
def member_remove(campaign_id, member_id):
    campaign = campaign_or_404(campaign_id, edit=True)
    remove_member(_member(campaign, member_id))
    if is_htmx():
        return ""
    flash(_("The customer is no longer a member of the campaign."), "success")
    return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
