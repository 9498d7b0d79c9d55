"""Follow-up statistics per rep (跟进拜访统计): follow-ups by type, customers touched, forgotten customers.

A follow-up counts for its author; the customers touched are the distinct
customers of those follow-ups. A forgotten customer (遗忘客户) is one the rep
owns whose last follow-up (its creation, if never followed up) is older
than ``days`` days (a report argument, 30 by default), counted from the
start of that company day, so the figure holds all day and the list behind
it matches. It is a state, now: the period does not apply to it.

Three statements: the follow-ups grouped per author with the company total
in the same ``GROUPING SETS`` (a customer touched by two reps is one in
the total), the forgotten customers per owner, and the people's names.
"""
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, tuple_

from crm_saas.blueprints.activities.models import Activity
from crm_saas.blueprints.activities.services import TYPES
from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.reports.services import base
from crm_saas.blueprints.reports.services.catalog import Chart, Column, Measure, Report, Result
from crm_saas.blueprints.reports.services.extras import DAYS, DEFAULT_DAYS
from crm_saas.blueprints.reports.services.figures import by_name, names_of
from crm_saas.blueprints.reports.services.scope import company_today, midnight
from crm_saas.core.errors import FieldErrors
from crm_saas.extensions import db

TYPE_COLUMNS = {f"type_{code}": code for code in TYPES}


def _written(scope):
    """``({author: (per type..., total, customers)}, company row)`` in one statement."""
    per_type = [func.count().filter(Activity.type == code) for code in TYPES]
    stmt = (base.follow_ups(scope)
            .with_only_columns(func.grouping(Activity.created_by_id), Activity.created_by_id, *per_type,
                               func.count(), func.count(Activity.customer_id.distinct()))
            .group_by(func.grouping_sets(tuple_(Activity.created_by_id), tuple_())))
    by_author, total = {}, None
    for grouping, author, *figures in db.session.execute(stmt):
        if grouping:
            total = figures
        else:
            by_author[author] = figures
    return by_author, total or [0] * (len(TYPES) + 2)


def cutoff(days):
    """Customers last contacted before this instant have waited ``days`` days or more."""
    return midnight(company_today() - timedelta(days=days))


def _forgotten_statement(scope, days):
    last = func.coalesce(Customer.last_follow_up_at, Customer.created_at)
    return base.customers(scope).where(Customer.owner_id.is_not(None), last < cutoff(days))


def _forgotten(scope, days):
    stmt = (_forgotten_statement(scope, days).with_only_columns(Customer.owner_id, func.count())
            .group_by(Customer.owner_id))
    return dict(db.session.execute(stmt).all())


def _figures(row, written, forgotten):
    *per_type, count, customers = written
    row.update({column: n for column, n in zip(TYPE_COLUMNS, per_type, strict=True)})
    row.update(follow_ups=count, customers=customers, forgotten=forgotten)
    return row


def _link(result, index, days, person=None):
    params = {"owner_id": person} if person else {}
    for column, code in TYPE_COLUMNS.items():
        result.drill[(index, column)] = ("follow_ups_of_type", {**params, "activity_type": code})
    result.drill[(index, "follow_ups")] = ("follow_ups_written", params)
    result.drill[(index, "customers")] = ("follow_ups_customers", params)
    result.drill[(index, "forgotten")] = ("forgotten_customers", {**params, "days": days})


def build(scope):
    days = scope.extra.get("days") or DEFAULT_DAYS
    written, total = _written(scope)
    forgotten = _forgotten(scope, days)
    people = set(written) | set(forgotten)
    names = names_of(people)
    result = Result(rows=[])
    empty = [0] * (len(TYPES) + 2)
    for person in by_name(people, names):
        result.rows.append(_figures({"key": person, "rep": names.get(person, "")}, written.get(person, empty),
                                    forgotten.get(person, 0)))
        _link(result, len(result.rows) - 1, days, person)
    result.totals = _figures({"rep": _("Total")}, total, sum(forgotten.values()))
    _link(result, "total", days)
    return result


def of_type_statement(scope, activity_type=None):
    stmt = base.follow_ups(scope)
    return stmt.where(Activity.type == activity_type) if activity_type else stmt


def customers_statement(scope):
    """The customers touched: those of the period's follow-ups in scope, each once.

    The owner and team filters name the follow-ups' authors, not the customers' owners: the follow-ups decide,
    and they already keep to the customers the viewer sees, outside the bin, in the region."""
    return select(Customer).where(Customer.id.in_(base.follow_ups(scope).with_only_columns(Activity.customer_id)))


def forgotten_statement(scope, days=None):
    try:
        number = DAYS.read(days)
    except ValueError as err:
        raise FieldErrors({"days": [err.args[0]]}) from None
    return _forgotten_statement(scope, number)


REPORTS = [
    Report("follow-ups", _l("Follow-up statistics"),
           _l("Per rep: follow-ups written in the period by type, the customers they touched, and the customers "
              "they own that nobody has contacted for a number of days (forgotten customers)."),
           (Column("rep", _l("Rep"), "text"),
            *(Column(column, TYPES[code], "int") for column, code in TYPE_COLUMNS.items()),
            Column("follow_ups", _l("Follow-ups"), "int"),
            Column("customers", _l("Customers touched"), "int"),
            Column("forgotten", _l("Forgotten customers"), "int")),
           Chart("bar", "rep", ("follow_ups",)), build, default_sort="-follow_ups", extras=(DAYS,)),
]
MEASURES = {
    "follow_ups_written": Measure("activities", _l("Follow-ups written"), base.follow_ups),
    "follow_ups_of_type": Measure("activities", _l("Follow-ups: %(activity_type)s"), of_type_statement,
                                  ("activity_type",)),
    "follow_ups_customers": Measure("customers", _l("Customers touched by follow-ups"), customers_statement),
    "forgotten_customers": Measure("customers", _l("Customers not contacted for %(days)s days"),
                                   forgotten_statement, ("days",)),
}
