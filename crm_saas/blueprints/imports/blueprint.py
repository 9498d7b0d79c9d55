"""The imports blueprint, and the one way its views find a batch: visible to the viewer, or a 404."""
from flask import Blueprint
from flask_login import current_user

from crm_saas.blueprints.imports.services import visible_import
from crm_saas.core.views import found_or_404
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("imports", __name__, url_prefix="/imports"), TENANT_SCOPE)


def batch_or_404(import_id):
    return found_or_404(visible_import(current_user, import_id))
