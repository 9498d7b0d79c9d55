"""(being written)"""
from flask import Blueprint

from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("settings", __name__, url_prefix="/settings"), TENANT_SCOPE)
