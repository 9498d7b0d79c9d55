"""A pool's customers (C11): the customer list's search, filters and paging over the pool instead of one's own.

The statement differs from the customer list only in its base: the pool's
live customers rather than the visible ones. Everything else (search by
number, name or contact, the filters, the sorting among collected ids) is
``customers.services.search``. Phone search finds nothing here: pooled
numbers are masked for everyone, and a hit would confirm one.
"""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.customers.services.search import PER_PAGE, SORTS, search_customers
from crm_saas.extensions import db

POOL_SORTS = {
    "-pool_entered_at": (Customer.pool_entered_at.desc(), Customer.id.desc()),
    "pool_entered_at": (Customer.pool_entered_at, Customer.id),
    **{key: value for key, value in SORTS.items() if "created_at" in key or "name" in key},
}
DEFAULT_POOL_SORT = "-pool_entered_at"


def in_pool(pool):
    """The pool's live customers as a statement."""
    return select(Customer).where(Customer.pool_id == pool.id, Customer.owner_id.is_(None),
                                  Customer.deleted_at.is_(None))


def pool_customers(pool, user, q=None, filters=None, sort=None, page=1, per_page=PER_PAGE):
    """``(rows, total)``: a page of the pool's customers matching ``q`` and ``filters``."""
    filters = {key: value for key, value in (filters or {}).items() if key not in ("owner_id", "status")}
    sort = sort if sort in POOL_SORTS else DEFAULT_POOL_SORT
    return search_customers(user, q=q, page=page, per_page=per_page, filters=filters, sort=sort,
                            base=in_pool(pool), sorts=POOL_SORTS)


def pooled_customer(pool, customer_id):
    """One of the pool's customers (with contacts and who had it), or None."""
    return db.session.scalar(in_pool(pool).where(Customer.id == customer_id).options(
        selectinload(Customer.contacts), selectinload(Customer.previous_owner)))
