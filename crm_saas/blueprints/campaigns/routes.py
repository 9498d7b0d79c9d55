"""Campaign and segment pages (G1). The views are thin: read the form, call one service, render.

Campaign list, forms and page in ``campaign_routes.py``; members in
``member_routes.py``; segments in ``segment_routes.py``; all on one blueprint.
"""
from crm_saas.blueprints.campaigns import campaign_routes, member_routes, segment_routes  # noqa: F401 (on bp)
from crm_saas.blueprints.campaigns.blueprint import bp

__all__ = ["bp"]
