"""Every report and every measure, gathered from the modules that define them (catalog.py says what they are)."""
from crm_saas.blueprints.reports.services import (
    conversion,
    dashboard,
    follow_up_stats,
    funnel,
    lifecycle,
    sales,
    service,
    sources,
    target_report,
)

# The order the centre lists them in.
REPORT_MODULES = (sales, funnel, conversion, sources, follow_up_stats, lifecycle, target_report, service)


def all_reports():
    return {report.key: report for module in REPORT_MODULES for report in module.REPORTS}


def get_report(key):
    return all_reports().get(key)


def all_measures():
    """Every measure a figure may link to: the dashboard's and each report module's ``MEASURES``."""
    measures = dict(dashboard.MEASURES)
    for module in REPORT_MODULES:
        measures.update(module.MEASURES)
    return measures
