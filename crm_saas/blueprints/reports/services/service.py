"""The ``service`` report: complaint rate and satisfaction, a slot the service requests (issue 17) will fill.

Until service requests exist there is nothing to count: the report keeps
its place in the centre, its columns and its chart, says so in a note, and
has no rows (the API answers the same, so integrations can be written now).
"""
from flask_babel import lazy_gettext as _l

from crm_saas.blueprints.reports.services.catalog import Chart, Column, Report, Result

NO_DATA = _l("No data yet: service requests arrive with the service module.")


def build(scope):
    return Result(rows=[], notes=[NO_DATA])


REPORTS = [Report(
    key="service", title=_l("Complaints and satisfaction"),
    description=_l("Service requests and complaints per owner in the period: the complaint rate (complaints among "
                   "all requests) and satisfaction (the share of rated requests scored 4 or 5)."),
    columns=(Column("owner", _l("Owner"), "text"), Column("requests", _l("Service requests")),
             Column("complaints", _l("Complaints")), Column("complaint_rate", _l("Complaint rate"), "percent"),
             Column("satisfaction", _l("Satisfaction"), "percent")),
    chart=Chart("bar", "owner", ("complaint_rate", "satisfaction")), build=build,
)]
MEASURES = {}
