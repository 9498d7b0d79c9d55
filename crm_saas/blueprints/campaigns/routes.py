"""Campaign and segment pages (G1)."""
from crm_saas.blueprints.campaigns.blueprint import bp  # noqa: F401
