"""(being written)"""
from flask import Blueprint

from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("approvals", __name__, url_prefix="/approvals"), TENANT_SCOPE)
