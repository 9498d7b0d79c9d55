"""The pipeline blueprint: ``routes.py`` (the board) and ``deal_routes.py`` (deal pages) hang their views on ``bp``."""
from flask import Blueprint
from flask_login import current_user

from crm_saas.blueprints.pipeline.services import get_visible_deal
from crm_saas.core.permissions import module_gate
from crm_saas.core.views import found_or_404
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("pipeline", __name__), TENANT_SCOPE)
bp.before_request(module_gate("deals"))


def visible_deal_or_404(deal_id):
    """The deal, or 404 when it does not exist or is hidden: never confirm what the viewer cannot see."""
    return found_or_404(get_visible_deal(current_user, deal_id))
