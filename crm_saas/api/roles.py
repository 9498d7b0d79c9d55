"""Roles and their rights (the permission matrix). (API.md, "Resources to come")."""
from crm_saas.api import api_blueprint

bp = api_blueprint("api_roles", __name__, "Roles and their rights (the permission matrix).")
