"""Webhook endpoints and their delivery log. (API.md, "Resources to come")."""
from crm_saas.api import api_blueprint

bp = api_blueprint("api_webhooks", __name__, "Webhook endpoints and their delivery log.")
