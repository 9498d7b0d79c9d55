"""(being built)"""
from crm_saas.blueprints.platform.blueprint import bp  # noqa: F401
