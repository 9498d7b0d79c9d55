"""A segment's customers as one viewer finds them: the list, the count, the ids, the export.

Everything goes through the customer list's own search (customers/services/
search.py), so the count on the segments page, the list it opens, the
members a campaign takes from it and the spreadsheet it exports are the
same customers. For a filter segment that is the list's query string; for
the ready-made 沉睡客户 it is the dormant rule as the search's base.
"""
from sqlalchemy import func, select

from crm_saas.blueprints.campaigns.services.dormant import dormant_customers
from crm_saas.blueprints.campaigns.services.segments import as_args, dormant_days
from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.customers.services.search import (
    DEFAULT_SORT,
    PER_PAGE,
    SORTS,
    customers_statement,
    read_filters,
    search_customers,
)
from crm_saas.blueprints.exports.services import start_export
from crm_saas.extensions import db


def segment_query(segment, user):
    """``(q, filters, sort, base)``: what the customer search takes for ``segment`` seen by ``user``."""
    if segment.builtin:
        return None, {}, DEFAULT_SORT, dormant_customers(user, dormant_days(segment))
    q, filters, sort, _page = read_filters(as_args(segment))
    return q, filters, sort, None


def segment_statement(segment, user):
    """The customers of ``segment`` that ``user`` sees, as one statement."""
    q, filters, _sort, base = segment_query(segment, user)
    return customers_statement(user, q, filters, base)


def segment_count(segment, user):
    """How many customers ``user`` finds in ``segment``: the total of the list it opens."""
    return db.session.scalar(select(func.count()).select_from(
        segment_statement(segment, user).with_only_columns(Customer.id).subquery()))


def segment_counts(segments, user):
    """``{segment id: count}`` for a page of segments (one count each: each is its own filter)."""
    return {segment.id: segment_count(segment, user) for segment in segments}


def segment_customer_ids(segment, user):
    """A subquery of the ids of the customers ``user`` finds in ``segment`` (adding members takes them)."""
    return segment_statement(segment, user).with_only_columns(Customer.id)


def segment_customers(segment, user, *, page=1, per_page=PER_PAGE, sort=None):
    """``(customers, total)``: a page of the segment's customers, in ``sort`` or the segment's own order."""
    q, filters, own_sort, base = segment_query(segment, user)
    sort = sort if sort in SORTS else own_sort
    return search_customers(user, q=q, filters=filters, sort=sort, page=page, per_page=per_page, base=base)


def start_segment_export(segment, *, actor):
    """The customer export (exports feature) of the segment's customers; raises as ``start_export`` does.

    A filter segment exports with its filters, read again when the job runs,
    as the list's export does. The dormant rule is no list filter, so its
    export names the customers found now (``ids``; no customer has id 0,
    which keeps an empty segment's export empty rather than unfiltered).
    """
    if segment.builtin:
        ids = db.session.scalars(segment_customer_ids(segment, actor)).all()
        return start_export("customers", {"ids": ids or [0]}, actor=actor)
    q, filters, _sort, _page = read_filters(as_args(segment))
    if "custom" in filters:
        filters["custom"] = {k: list(v) if isinstance(v, tuple) else v for k, v in filters["custom"].items()}
    return start_export("customers", {"q": q, **filters}, actor=actor)
