"""The campaigns blueprint: ``/campaigns/...`` and ``/segments/...``. Closed to roles without the ``campaigns``
module (core/permissions.py ``module_gate``)."""
from flask import Blueprint, abort
from flask_login import current_user

from crm_saas.blueprints.campaigns.services.campaigns import get_campaign, may_edit
from crm_saas.blueprints.campaigns.services.segments import get_segment_for
from crm_saas.core.permissions import module_gate
from crm_saas.core.views import found_or_404
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("campaigns", __name__), TENANT_SCOPE)
bp.before_request(module_gate("campaigns"))


def campaign_or_404(campaign_id, *, edit=False):
    """The campaign (every holder of the module sees it); with ``edit``, 403 for those who may not change it."""
    campaign = found_or_404(get_campaign(campaign_id))
    if edit and not may_edit(current_user, campaign):
        abort(403)
    return campaign


def segment_or_404(segment_id):
    return found_or_404(get_segment_for(current_user, segment_id))
