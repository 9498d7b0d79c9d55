"""Lead-to-customer conversion (H2): how customer types moved in the period (potential → intent → closed → lost).

Read from the change log (C7): every save that changed a customer's type
wrote a ``customer_changes`` row with ``field = 'type'`` and the old and new
codes (customers/services/changes.py), so the period's moves are those rows.
The table is a matrix: a row per type a customer left, a column per type it
became, each cell the customers (counted once) that made that move; beside
them the customers created in the period by the type they started as (the
first logged change's old type, else the type they still have).

Visibility follows the customer's current owner (``base.customers``), as
every customer figure does.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, exists, func, literal_column, select, tuple_, type_coerce
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by

from crm_saas.blueprints.customers.models import Customer, CustomerChange
from crm_saas.blueprints.customers.services.codes import CUSTOMER_TYPES, label
from crm_saas.blueprints.reports.services import base
from crm_saas.blueprints.reports.services.catalog import Chart, Column, Measure, Report, Result
from crm_saas.extensions import db

TYPES = tuple(CUSTOMER_TYPES)  # potential, intent, closed, lost: the order a customer usually goes


def _code(json_value):
    """A logged value (a JSON string such as ``"intent"``) as text."""
    return type_coerce(json_value.op("#>>")(literal_column("'{}'")), String)


def initial_type():
    """SQL: the type a customer was created with: the old side of its first logged type change, else its type."""
    first = (select(_code(CustomerChange.old))
             .where(CustomerChange.customer_id == Customer.id, CustomerChange.field == "type")
             .order_by(CustomerChange.at, CustomerChange.id).limit(1)
             .correlate(Customer).scalar_subquery())
    return func.coalesce(first, Customer.type)


def _created(scope):
    """``{type started as: customers}`` of the period's new customers.

    The same question as ``initial_type``, asked as a join the planner may
    hash (a year's 50,000 new customers) or loop (a month's few hundred),
    where the correlated form looks the log up once per customer whatever.
    """
    new = base.new_customers(scope).with_only_columns(Customer.id, Customer.type).subquery()
    logged = and_(CustomerChange.customer_id == new.c.id, CustomerChange.field == "type")
    first = func.array_agg(aggregate_order_by(_code(CustomerChange.old), CustomerChange.at, CustomerChange.id),
                           type_=ARRAY(String))
    each = (select(new.c.type, first.label("logged")).select_from(new.outerjoin(CustomerChange, logged))
            .group_by(new.c.id, new.c.type).subquery())
    start = func.coalesce(each.c.logged[1], each.c.type)
    return dict(db.session.execute(select(start, func.count()).group_by(start)).all())


def _moves(scope):
    """``({(from, to): customers}, {to: customers})``, each customer counted once per cell, one statement."""
    old, new = _code(CustomerChange.old), _code(CustomerChange.new)
    stmt = (base.customers(scope).join(CustomerChange, CustomerChange.customer_id == Customer.id)
            .where(CustomerChange.field == "type", scope.during(CustomerChange.at))
            .with_only_columns(func.grouping(old, new), old, new, func.count(CustomerChange.customer_id.distinct()))
            .group_by(func.grouping_sets(tuple_(old, new), tuple_(new))))
    pairs, into = {}, {}
    for grouping, was, became, count in db.session.execute(stmt):
        if grouping == 0:
            pairs[(was, became)] = count
        else:
            into[became] = count
    return pairs, into


def build(scope):
    created, (pairs, into) = _created(scope), _moves(scope)
    seen = set(created) | {was for was, _became in pairs}
    types = [*TYPES, *sorted(code for code in seen if code and code not in TYPES)]
    result = Result(rows=[])
    for index, code in enumerate(types):
        row = {"key": code, "type": str(label(CUSTOMER_TYPES, code)), "created": created.get(code, 0)}
        result.drill[(index, "created")] = ("conversion_created", {"customer_type": code})
        for to in TYPES:
            if to == code:
                row[f"to_{to}"] = None
                continue
            row[f"to_{to}"] = pairs.get((code, to), 0)
            result.drill[(index, f"to_{to}")] = ("conversion_moves", {"from_type": code, "to_type": to})
        result.rows.append(row)
    result.totals = {"type": _("Total"), "created": sum(created.values()),
                     **{f"to_{to}": into.get(to, 0) for to in TYPES}}
    result.drill[("total", "created")] = ("conversion_created_all", {})
    for to in TYPES:
        result.drill[("total", f"to_{to}")] = ("conversion_became", {"to_type": to})
    return result


def created_statement(scope, customer_type=None):
    """New customers of the period (that started as ``customer_type``)."""
    stmt = base.new_customers(scope)
    return stmt.where(initial_type() == customer_type) if customer_type else stmt


def moves_statement(scope, from_type=None, to_type=None):
    """Customers whose type changed in the period (from ``from_type``, to ``to_type``)."""
    conditions = [CustomerChange.customer_id == Customer.id, CustomerChange.field == "type",
                  scope.during(CustomerChange.at)]
    if from_type:
        conditions.append(_code(CustomerChange.old) == from_type)
    if to_type:
        conditions.append(_code(CustomerChange.new) == to_type)
    return base.customers(scope).where(exists().where(*conditions))


REPORTS = [
    Report("conversion", _l("Customer conversion"),
           _l("How customer types moved in the period, from the change log: each row a type customers left, each "
              "column the type they became; and the customers created in the period by the type they started as."),
           (Column("type", _l("Customer type"), "text", sortable=False),
            Column("created", _l("Created"), "int"),
            *(Column(f"to_{code}", _l("To: %(type)s", type=CUSTOMER_TYPES[code]), "int") for code in TYPES)),
           Chart("bar", "type", ("created", *(f"to_{code}" for code in TYPES))), build),
]
MEASURES = {
    "conversion_created": Measure("customers", _l("Customers created as %(customer_type)s"), created_statement,
                                  ("customer_type",)),
    "conversion_created_all": Measure("customers", _l("Customers created"), base.new_customers),
    "conversion_became": Measure("customers", _l("Customers who became %(to_type)s"), moves_statement, ("to_type",)),
    "conversion_moves": Measure("customers", _l("Customers whose type changed from %(from_type)s to %(to_type)s"),
                                moves_statement, ("from_type", "to_type")),
}
