"""Marketing campaigns (市场活动), their members, cost and ROI. (API.md, "Resources to come")."""
from crm_saas.api import api_blueprint

bp = api_blueprint("api_campaigns", __name__, "Marketing campaigns (市场活动), their members, cost and ROI.",
                   module="campaigns")
