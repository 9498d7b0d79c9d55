"""The campaigns blueprint: ``/campaigns/...`` and ``/segments/...``. Closed to roles without the ``campaigns``
module (core/permissions.py ``module_gate``)."""
from flask import Blueprint

from crm_saas.core.permissions import module_gate
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("campaigns", __name__), TENANT_SCOPE)
bp.before_request(module_gate("campaigns"))
