"""Segments: saved customer filters with a live count. (API.md, "Resources to come")."""
from crm_saas.api import api_blueprint

bp = api_blueprint("api_segments", __name__, "Segments: saved customer filters with a live count.", module="campaigns")
