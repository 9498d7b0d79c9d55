"""The pipeline blueprint: ``routes.py`` (the board) and ``deal_routes.py`` (deal pages) hang their views on ``bp``."""
from flask import Blueprint

from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("pipeline", __name__), TENANT_SCOPE)
