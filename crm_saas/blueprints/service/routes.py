"""Service pages (F1)."""
from crm_saas.blueprints.service.blueprint import bp  # noqa: F401
