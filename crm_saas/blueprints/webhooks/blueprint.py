"""The webhooks blueprint: ``/settings/webhooks/...`` for those who manage settings."""
from flask import Blueprint

from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("webhooks", __name__, url_prefix="/settings/webhooks"), TENANT_SCOPE)
