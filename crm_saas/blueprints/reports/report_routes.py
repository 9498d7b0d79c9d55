"""(to be written)"""
from crm_saas.blueprints.reports.blueprint import bp  # noqa: F401
