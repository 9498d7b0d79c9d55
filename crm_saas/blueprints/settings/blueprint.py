"""The settings blueprint: ``routes.py`` (company settings, the permission matrix, mail) and ``role_routes.py``
(the roles page) both hang their views on ``bp``."""
from flask import Blueprint

from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("settings", __name__, url_prefix="/settings"), TENANT_SCOPE)
