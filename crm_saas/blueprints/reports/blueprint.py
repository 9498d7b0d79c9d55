"""The reports blueprint: ``/dashboard`` (the home page), ``/reports/...`` (the centre, drill-downs, targets).

``routes.py`` loads the view modules that hang their views on ``bp``:
``dashboard_routes`` (the dashboard and the list behind each figure),
``report_routes`` (the centre and each report), ``target_routes`` (sales
targets, and the switch of the weekly summary by email) and
``export_routes`` (a report or the dashboard to xlsx or PDF).
"""
from flask import Blueprint

from crm_saas.core.permissions import module_gate
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("reports", __name__), TENANT_SCOPE)
bp.before_request(module_gate("reports"))
