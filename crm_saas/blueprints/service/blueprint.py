"""The service blueprint: ``/service/...`` (the queue, a request, its timeline). Closed to roles without the
``service`` module (core/permissions.py ``module_gate``)."""
from flask import Blueprint

from crm_saas.core.permissions import module_gate
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("service", __name__, url_prefix="/service"), TENANT_SCOPE)
bp.before_request(module_gate("service"))
