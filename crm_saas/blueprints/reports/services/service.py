"""The ``service`` report (F1): service requests and complaints in the period, per assignee and per type.

What it counts: the requests that came in during the period (``created_at``),
on customers not in the recycle bin, that the viewer may see by the service
feature's one rule (``visible_requests``: the customer's owner chain, the
assignee's chain, the service desk's unassigned ones). The scope's owner
and team filters then narrow them by **assignee**, the person the row is
about (so a filter keeps the unassigned requests out); the region, by the
request's customer.

Per row: requests, complaints and the complaint rate (complaints among all
requests), those resolved (resolved or closed) and their average time from
coming in to resolution in whole hours (the unit the due times are set in),
the closed requests rated by the customer and the share of them scored 4
or 5 (satisfied, as CSAT is usually read), and those overdue now (due.py's
rule, the queue's). Rows per assignee (the unassigned together), then the
same figures per type; a type's complaint rate is left blank, as it can
only be all or nothing. Each set of rows adds up to the totals.

One statement: a ``GROUPING SETS`` over the assignee, the type and nothing
(the totals). The cells link to no list (the report centre's lists are of
customers, deals, follow-ups and tasks); the service queue lists requests.
"""
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import any_, func, select, tuple_
from sqlalchemy.orm import aliased

from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.reports.services.catalog import Chart, Column, Report, Result
from crm_saas.blueprints.reports.services.figures import by_name, names_of, percent, span_seconds
from crm_saas.blueprints.service.models import ServiceRequest
from crm_saas.blueprints.service.services.codes import TYPES, label
from crm_saas.blueprints.service.services.due import overdue_condition
from crm_saas.blueprints.service.services.visibility import visible_requests
from crm_saas.core.base import utcnow
from crm_saas.core.visibility import literal_ids, subtree_ids
from crm_saas.extensions import db

UNASSIGNED = "unassigned"  # the ``key`` of the row of requests nobody has taken
RESOLVED = ("resolved", "closed")
SATISFIED = 4  # a score of 4 or 5 of 5


def requests(scope):
    """The requests in the period the viewer sees, narrowed by the scope's assignee, team and region filters."""
    R, customer = ServiceRequest, aliased(Customer)  # an alias: the visibility rule selects from customers itself
    stmt = (select(R).join(customer, customer.id == R.customer_id)
            .where(customer.deleted_at.is_(None), scope.during(R.created_at)))
    stmt = visible_requests(scope.user, stmt)
    if scope.owner_id:
        stmt = stmt.where(R.assignee_id == scope.owner_id)
    if scope.team_id:
        stmt = stmt.where(R.assignee_id == any_(literal_ids(subtree_ids(scope.team_id))))
    return scope.in_region(stmt, customer)


def _figures(now):
    R = ServiceRequest
    resolved = R.status.in_(RESOLVED) & R.resolved_at.is_not(None)
    rated = (R.status == "closed") & R.satisfaction.is_not(None)
    return (func.count(), func.count().filter(R.type == "complaint"), func.count().filter(resolved),
            func.sum(span_seconds(R.created_at, R.resolved_at)).filter(resolved), func.count().filter(rated),
            func.count().filter(rated & (R.satisfaction >= SATISFIED)), func.count().filter(overdue_condition(now)))


def counted(scope, now=None):
    """``(per assignee, per type, totals)``, each figure tuple as ``_row`` reads it, in one statement."""
    R = ServiceRequest
    stmt = (requests(scope)
            .with_only_columns(func.grouping(R.assignee_id, R.type), R.assignee_id, R.type, *_figures(now or utcnow()))
            .group_by(func.grouping_sets(tuple_(R.assignee_id), tuple_(R.type), tuple_())))
    by_assignee, by_type, totals = {}, {}, None
    for grouping, assignee_id, type_, *figures in db.session.execute(stmt):
        if grouping == 1:
            by_assignee[assignee_id] = figures
        elif grouping == 2:
            by_type[type_] = figures
        else:
            totals = figures
    return by_assignee, by_type, totals or [0, 0, 0, None, 0, 0, 0]


def _hours(seconds, count):
    """The average of ``count`` spans adding up to ``seconds``, in whole hours (half up); None over nothing."""
    if not count or seconds is None:
        return None
    return int((Decimal(seconds) / 3600 / count).quantize(Decimal(1), ROUND_HALF_UP))


def _row(first, figures, rate=True):
    requests_, complaints, resolved, seconds, rated, satisfied, overdue = figures
    return {"assignee": first, "requests": requests_, "complaints": complaints,
            "complaint_rate": percent(complaints, requests_) if rate else None, "resolved": resolved,
            "resolution_hours": _hours(seconds, resolved), "rated": rated, "satisfaction": percent(satisfied, rated),
            "overdue": overdue}


def build(scope):
    by_assignee, by_type, totals = counted(scope)
    people = [person for person in by_assignee if person is not None]
    names = names_of(people)
    result = Result(rows=[])
    for person in by_name(people, names):
        result.rows.append({"key": person, **_row(names.get(person, ""), by_assignee[person])})
    if None in by_assignee:
        result.rows.append({"key": UNASSIGNED, **_row(_("Unassigned"), by_assignee[None])})
    group = _("By type")
    ordered = [code for code in TYPES if code in by_type] + sorted(code for code in by_type if code not in TYPES)
    for code in ordered:
        result.rows.append({"key": code, "group": group, **_row(str(label(TYPES, code)), by_type[code], rate=False)})
    result.totals = _row(_("Total"), totals)
    return result


REPORTS = [Report(
    key="service", title=_l("Service requests and complaints"),
    description=_l("Service requests that came in during the period, per assignee and per type: complaints and the "
                   "complaint rate, requests resolved and their average resolution time, the share of rated "
                   "requests scored 4 or 5, and those overdue now."),
    columns=(Column("assignee", _l("Assignee"), "text"),
             Column("requests", _l("Service requests")),
             Column("complaints", _l("Complaints")),
             Column("complaint_rate", _l("Complaint rate (%)"), "percent"),
             Column("resolved", _l("Resolved")),
             Column("resolution_hours", _l("Average resolution time (hours)")),
             Column("rated", _l("Rated")),
             Column("satisfaction", _l("Satisfied, share of rated (%)"), "percent"),
             Column("overdue", _l("Overdue now"))),
    chart=Chart("bar", "assignee", ("complaint_rate",)), build=build, default_sort="-requests",
)]
MEASURES = {}
