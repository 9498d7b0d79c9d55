"""(being written)"""
from flask import Blueprint

from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("audit", __name__, url_prefix="/audit"), TENANT_SCOPE)
