"""The follow-up list (跟进记录): every follow-up the viewer sees, newest first, filtered and paged; and its export.

One statement (``follow_ups_statement``) serves the page and the
spreadsheet the worker writes (workers/list_exports.py), so the export holds
exactly the rows the list shows. Filters, all in the query string (the
export stores the same names): ``type``, ``owner_id`` (the author), ``team``
(an author in a leader's subtree, intersected with what the viewer sees),
``from``/``to`` (company days, both included) and ``customer_id``.
"""
from datetime import date, timedelta

from sqlalchemy import any_, func, select
from sqlalchemy.orm import joinedload

from crm_saas.blueprints.activities.models import Activity
from crm_saas.blueprints.activities.services import TYPES, visible_activities
from crm_saas.blueprints.activities.services.times import day_start
from crm_saas.core.queries import page_number
from crm_saas.core.visibility import literal_ids, subtree_ids
from crm_saas.extensions import db

PER_PAGE = 50
FILTER_KEYS = ("type", "owner_id", "team", "from", "to", "customer_id")


def read_list_args(args):
    """``(filters, page)`` from a query string or form; unreadable values are dropped (a filter bar is no form)."""
    filters = {}
    if args.get("type") in TYPES:
        filters["type"] = args["type"]
    for key in ("owner_id", "team", "customer_id"):
        if str(args.get(key, "")).isdigit() and len(str(args[key])) < 19:
            filters[key] = int(args[key])
    for key in ("from", "to"):
        try:
            filters[key] = date.fromisoformat(str(args.get(key) or ""))
        except ValueError:
            pass
    return filters, page_number(args.get("page", "1"))


def as_args(filters):
    """``filters`` as query arguments (dates as text): for links, and as an export stores them."""
    return {key: value.isoformat() if isinstance(value, date) else value for key, value in filters.items()}


def follow_ups_statement(user, filters=None):
    """The follow-ups ``user`` sees (their customers' and shared ones') that match ``filters``."""
    filters = filters or {}
    stmt = visible_activities(user)
    if filters.get("type"):
        stmt = stmt.where(Activity.type == filters["type"])
    if filters.get("owner_id"):
        stmt = stmt.where(Activity.created_by_id == filters["owner_id"])
    if filters.get("team"):
        stmt = stmt.where(Activity.created_by_id == any_(literal_ids(subtree_ids(filters["team"]))))
    if filters.get("customer_id"):
        stmt = stmt.where(Activity.customer_id == filters["customer_id"])
    if filters.get("from"):
        stmt = stmt.where(Activity.occurred_at >= day_start(filters["from"]))
    if filters.get("to"):
        stmt = stmt.where(Activity.occurred_at < day_start(filters["to"] + timedelta(days=1)))
    return stmt


NEWEST_FIRST = (Activity.occurred_at.desc(), Activity.id.desc())


def list_follow_ups(user, filters=None, page=1, per_page=PER_PAGE):
    """A page of the matching follow-ups (with customer, deal and author loaded: no query per row), and the total."""
    stmt = follow_ups_statement(user, filters)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(
        stmt.options(joinedload(Activity.customer), joinedload(Activity.deal), joinedload(Activity.created_by))
        .order_by(*NEWEST_FIRST).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return rows, total
