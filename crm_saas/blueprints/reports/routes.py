"""Every view of the reports feature, on one blueprint (blueprint.py says which module holds what)."""
from crm_saas.blueprints.reports import dashboard_routes, export_routes, report_routes, target_routes  # noqa: F401
from crm_saas.blueprints.reports.blueprint import bp

__all__ = ["bp"]
