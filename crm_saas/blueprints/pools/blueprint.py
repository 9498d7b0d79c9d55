"""The pools blueprint and what its views share: finding a pool the viewer may see, or edit.

``routes.py`` (the pools, a pool's customers, claim, assign),
``settings_routes.py`` (adding pools, their rules, limits and members) and
``customer_routes.py`` (release and protection from a customer's page) hang
their views on ``bp``.
"""
from flask import Blueprint, abort
from flask_login import current_user

from crm_saas.blueprints.pools.services import get_pool_for, may_edit
from crm_saas.core.permissions import module_gate
from crm_saas.core.views import found_or_404
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("pools", __name__, url_prefix="/pools"), TENANT_SCOPE)
bp.before_request(module_gate("pool"))


def pool_or_404(pool_id):
    """The pool, or 404 when it does not exist or the viewer is not in it: never confirm what they cannot see."""
    return found_or_404(get_pool_for(current_user, pool_id))


def editable_pool_or_404(pool_id):
    """The pool for its admin (and the company's settings managers); 403 for a member who may only look."""
    pool = pool_or_404(pool_id)
    if not may_edit(current_user, pool):
        abort(403)
    return pool
