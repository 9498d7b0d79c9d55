"""Service requests and complaints (客服工单). (API.md, "Resources to come")."""
from crm_saas.api import api_blueprint

bp = api_blueprint("api_service_requests", __name__, "Service requests and complaints (客服工单).", module="service")
