"""The bulk blueprint: its views answer the customer list's selection bar (templates/bulk/_bar.html)."""
from flask import Blueprint

from crm_saas.core.permissions import module_gate
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("bulk", __name__, url_prefix="/customers/bulk"), TENANT_SCOPE)
bp.before_request(module_gate("customers"))
