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
from crm_saas.blueprints.customers.services.privacy import ContactReader
from crm_saas.blueprints.customers.services.search import EXACT, PER_PAGE, read_filters, search_customers
from crm_saas.core.settings import get_setting
from crm_saas.core.staff import picked_person
from crm_saas.core.templating import url_around_id
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


# What a chip says for each plain filter: the field's label, and the value's label where the value is a code.
_CHIP_FIELDS = {"type": codes.CUSTOMER_TYPES, "industry": codes.INDUSTRIES, "source": codes.SOURCES,
                "status": codes.STATUSES, "size": codes.SIZES}
_CHIP_LABELS = {"created_from": _l("Created from"), "created_to": _l("Created until"),
                "tag": codes.FIELD_LABELS["tags"], "province": _l("Province"), "city": _l("City"),
                "district": _l("District"), "owner_id": codes.FIELD_LABELS["owner_id"],
                "category": codes.FIELD_LABELS["category"]}
_CF_ENDS = {"min": _l("at least"), "max": _l("at most"), "from": _l("from"), "to": _l("until")}


def _custom_filter(name, labels):
    """``(field key, range end or "")`` of a ``cf-`` parameter: ``amount-min`` is the field ``amount``'s lower end."""
    for end in _CF_ENDS:
        if name.endswith(f"-{end}") and name[:-len(end) - 1] in labels:
            return name[:-len(end) - 1], end
    return name, ""


def filter_chips(params, owner, fields):
    """``[(label, value, params without it)]``: one removable chip per filter that is on, in the URL's order.

    The list shows them beside its one line of filters, so what narrows the
    list is always in sight even with the drawer shut (C6).
    """
    names = {owner.id: owner.name} if owner else {}
    labels = {d.key: d.label for d in fields}
    chips = []
    for key, values in params.items():
        if key in ("q", "sort", "per_page"):
            continue
        for value in values:
            if key in _CHIP_FIELDS:
                label, shown = codes.FIELD_LABELS[key], codes.label(_CHIP_FIELDS[key], value)
            elif key == "owner_id":
                label, shown = _CHIP_LABELS[key], names.get(int(value), value) if value.isdigit() else value
            elif key.startswith("cf-"):
                field, end = _custom_filter(key[3:], labels)
                label, shown = labels.get(field, field) + (f" ({_CF_ENDS[end]})" if end else ""), value
            else:
                label, shown = _CHIP_LABELS.get(key, key), value
            rest = {k: ([v for v in vs if v != value] if k == key else vs) for k, vs in params.items()}
            chips.append((label, shown, {k: vs for k, vs in rest.items() if vs}))
    return chips


class RowKit:
    """What every row of the list needs, worked out once a page rather than once a row.

    Labels come as plain strings (a lazy one is translated again each time it
    is written: 400 cells' data-labels cost more than the page's SQL), the
    customer link as the text around its id, and one contact reader.
    """

    def __init__(self, viewer, column_labels):
        self.heads = {key: str(label) for key, label in column_labels.items()}
        self.words = {name: {code: str(label) for code, label in table.items()} for name, table in (
            ("type", codes.CUSTOMER_TYPES), ("industry", codes.INDUSTRIES), ("source", codes.SOURCES),
            ("status", codes.STATUSES))}
        self.detail = url_around_id("customers.detail", "customer_id")
        self.reader = ContactReader(viewer)

    def word(self, name, code):
        return self.words[name].get(code, code) if code else ""

    def detail_url(self, customer_id):
        return f"{self.detail[0]}{customer_id}{self.detail[1]}"

    def phone(self, customer, contact):
        return self.reader.phone(customer.owner_id, contact.phone)


def list_context(args):
    """Everything the list page and its results partial show."""
    q, filters, sort, page = read_filters(args)
    per_page = args.get("per_page", type=int) if args.get("per_page", type=int) in PER_PAGE_CHOICES else PER_PAGE
    rows, total = search_customers(current_user, q=q, filters=filters, sort=sort, page=page, per_page=per_page)
    params = {key: [v for v in args.getlist(key) if v] for key in args if _is_filter(key)}
    params = {key: values for key, values in params.items() if values}
    owner, fields = picked_person(current_user, "visible", filters.get("owner_id")), definitions("customer")
    column_labels = available_columns()
    return dict(
        customers=rows, total=total, q=q, filters=filters, sort=sort, page=page, per_page=per_page,
        per_page_choices=PER_PAGE_CHOICES, sortable=SORTABLE_COLUMNS, column_sort=column_sort,
        filtered=bool(q or filters),
        params=params, chips=filter_chips(params, owner, fields), codes=codes,
        columns=chosen_columns(current_user), column_labels=column_labels, kit=RowKit(current_user, column_labels),
        sort_labels=SORT_LABELS, definitions=fields, categories=get_setting("customer_categories"),
        chosen_owner=owner, args=args,
    )
