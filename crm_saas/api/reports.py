"""(to be written)"""
from crm_saas.api import api_blueprint

bp = api_blueprint("api_reports", __name__, "(to be written)")
