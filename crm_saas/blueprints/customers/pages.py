"""The customer list page (C6): reading its filters from the URL, the columns each person chose.

Every filter lives in the query string, so a filtered list can be
bookmarked or shared and the browser's back button walks back through the
filters (htmx pushes each URL). Custom fields filter as ``cf-<key>`` (and
``cf-<key>-min``/``-max`` for numbers, ``-from``/``-to`` for dates).
"""
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm_saas.blueprints.custom_fields.services import definitions
from crm_saas.blueprints.customers.services import codes
from crm_saas.blueprints.customers.services.search import EXACT, PER_PAGE, read_filters, search_customers
from crm_saas.blueprints.customers.services.transfer import colleagues
from crm_saas.core.settings import get_setting
from crm_saas.core.staff import staff_choices
from crm_saas.extensions import db

COLUMNS = {
    "number": codes.FIELD_LABELS["number"], "name": codes.FIELD_LABELS["name"],
    "type": codes.FIELD_LABELS["type"], "industry": codes.FIELD_LABELS["industry"],
    "source": codes.FIELD_LABELS["source"], "category": codes.FIELD_LABELS["category"],
    "region": _l("Region"), "tags": codes.FIELD_LABELS["tags"], "contact": _l("Main contact"),
    "phone": codes.CONTACT_FIELD_LABELS["phone"], "owner": codes.FIELD_LABELS["owner_id"],
    "created_at": codes.FIELD_LABELS["created_at"], "updated_at": _l("Last updated"),
}
DEFAULT_COLUMNS = ("number", "name", "type", "industry", "contact", "phone", "owner", "created_at")
ALWAYS = ("number", "name")
SORT_LABELS = {
    "-created_at": _l("Newest first"), "created_at": _l("Oldest first"),
    "-updated_at": _l("Recently updated"), "updated_at": _l("Least recently updated"),
    "name": _l("Name A-Z"), "-name": _l("Name Z-A"), "number": _l("Number, ascending"),
    "-number": _l("Number, descending"),
}


def available_columns():
    """Built-in columns, then one per custom field (``custom.<key>``)."""
    return {**COLUMNS, **{f"custom.{d.key}": d.label for d in definitions("customer")}}


def chosen_columns(user):
    available = available_columns()
    chosen = (user.preferences or {}).get("customer_columns") or DEFAULT_COLUMNS
    return [*ALWAYS, *(c for c in chosen if c in available and c not in ALWAYS)]


def save_columns(user, columns):
    available = available_columns()
    user.preferences = {**(user.preferences or {}), "customer_columns": [c for c in columns if c in available]}
    db.session.commit()


# Column heads that sort the list by a click, and the order a first click asks for (dates: newest first).
SORTABLE_COLUMNS = {"number": "number", "name": "name", "created_at": "-created_at", "updated_at": "-updated_at"}
PER_PAGE_CHOICES = (25, PER_PAGE, 100)


def _is_filter(name):
    return name in ("q", "sort", "tag", "owner_id", "per_page", *EXACT) or name.startswith("cf-")


def column_sort(column, sort):
    """``(sort a click on ``column``'s head asks for, "ascending"/"descending"/None for aria-sort)``."""
    first = SORTABLE_COLUMNS[column]
    key = first.lstrip("-")
    if sort.lstrip("-") != key:
        return first, None
    return ("-" + key if sort == key else key), ("ascending" if sort == key else "descending")


def list_context(args):
    """Everything the list page and its results partial show."""
    q, filters, sort, page = read_filters(args)
    per_page = args.get("per_page", type=int) if args.get("per_page", type=int) in PER_PAGE_CHOICES else PER_PAGE
    rows, total = search_customers(current_user, q=q, filters=filters, sort=sort, page=page, per_page=per_page)
    params = {key: [v for v in args.getlist(key) if v] for key in args if _is_filter(key)}
    return dict(
        customers=rows, total=total, q=q, filters=filters, sort=sort, page=page, per_page=per_page,
        per_page_choices=PER_PAGE_CHOICES, sortable=SORTABLE_COLUMNS, column_sort=column_sort,
        filtered=bool(q or filters),
        params={key: values for key, values in params.items() if values}, codes=codes,
        columns=chosen_columns(current_user), column_labels=available_columns(),
        sort_labels=SORT_LABELS, definitions=definitions("customer"), categories=get_setting("customer_categories"),
        owners=staff_choices(current_user, active=None), colleagues=colleagues(), args=args,
    )
