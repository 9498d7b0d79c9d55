"""Webhook pages."""
from crm_saas.blueprints.webhooks.blueprint import bp  # noqa: F401
