"""Bulk actions on customers (I2): pick the customers, then do one thing to all of them or to none.

A selection is either ``ids`` (ticked rows, a whole page) or ``filters``
(everything that matches the list's search and filters), never both, and it
is resolved under the one visibility rule: a filter never reaches a customer
the actor cannot see, and an id the actor cannot see refuses the whole action
(it is counted, never named). ``actions.run`` then hands the customers to
one action, which checks every customer first, changes them in one
transaction, logs each in its change log, and raises ``BulkError`` (a 422
naming the field) or ``BulkForbidden`` (403: the role may not) with nothing
saved.
"""
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.customers.services import visible_customers
from crm_saas.blueprints.customers.services.search import customers_statement
from crm_saas.core.errors import FieldErrors
from crm_saas.extensions import db

ACTIONS = ("transfer", "share", "tag", "untag", "campaign", "release", "delete", "export")
BULK_MAX = 10000  # customers per action: one transaction, one request


class BulkError(FieldErrors):
    """A refused bulk action: ``ids``, ``filters`` or an action field, each named; nothing was saved."""


class BulkForbidden(FieldErrors):
    """The actor's role may not take this action at all (the API answers 403)."""


def split_filters(filters):
    """``(q, filters)`` from the API's or the list's filter dict (``q`` travels with the others)."""
    filters = dict(filters or {})
    return filters.pop("q", None), filters


def selected_ids(user, *, ids=None, filters=None):
    """The ids of the selection, checked: all visible to ``user``, at least one, at most ``BULK_MAX``."""
    if (ids is None) == (filters is None):
        raise BulkError({"ids": [_("Send either the ids of the customers or the filters they match.")]})
    if filters is not None:
        q, rest = split_filters(filters)
        stmt = customers_statement(user, q, rest).with_only_columns(Customer.id).order_by(Customer.id)
        found = db.session.scalars(stmt.limit(BULK_MAX + 1)).all()
        field = "filters"
    else:
        wanted = list(dict.fromkeys(ids))
        if any(not isinstance(i, int) or isinstance(i, bool) for i in wanted):
            raise BulkError({"ids": [_("Ids are whole numbers.")]})
        found = db.session.scalars(
            visible_customers(user).with_only_columns(Customer.id).where(Customer.id.in_(wanted))
        ).all() if wanted else []
        missing = len(wanted) - len(found)
        if missing:
            raise BulkError({"ids": [ngettext(
                "%(num)s of the chosen customers was not found: nothing was done.",
                "%(num)s of the chosen customers were not found: nothing was done.", missing)]})
        field = "ids"
    if not found:
        raise BulkError({field: [_("No customers are selected.")]})
    if len(found) > BULK_MAX:
        raise BulkError({field: [_("At most %(max)s customers at once: narrow the filters.",
                                   max=f"{BULK_MAX:,}")]})
    return list(found)


def selected_customers(user, ids):
    """The customers of checked ``ids``, locked until the action commits (two bulk actions never interleave)."""
    return db.session.scalars(
        select(Customer).where(Customer.id.in_(ids)).order_by(Customer.id).with_for_update(of=Customer)
    ).all()
