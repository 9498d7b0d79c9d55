"""(to be written)"""
from crm_saas.api import api_blueprint

bp = api_blueprint("api_dashboard", __name__, "(to be written)")
