"""Finding customers (C6): search, filters, sort and paging, always inside the visibility rule.

One function builds the statement for the list page, the API and the export
job alike, so all three find exactly the same customers.
"""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Text, any_, case, cast, func, or_, select, union
from sqlalchemy.dialects.postgresql import ARRAY, array
from sqlalchemy.orm import aliased, selectinload

from crm_saas.blueprints.custom_fields.services import definitions, filter_condition
from crm_saas.blueprints.customers.models import Contact, Customer
from crm_saas.blueprints.customers.services import visible_customers
from crm_saas.blueprints.customers.services.keys import phone_digits
from crm_saas.blueprints.customers.services.privacy import unmasked_owner_ids
from crm_saas.core.queries import LIKE_ESCAPE, contains_pattern, page_number
from crm_saas.core.visibility import literal_ids
from crm_saas.extensions import db

PER_PAGE = 50
SORTS = {
    "-created_at": (Customer.created_at.desc(), Customer.id.desc()),
    "created_at": (Customer.created_at, Customer.id),
    "-updated_at": (Customer.updated_at.desc(), Customer.id.desc()),
    "updated_at": (Customer.updated_at, Customer.id),
    "name": (Customer.name, Customer.id),
    "-name": (Customer.name.desc(), Customer.id.desc()),
    "number": (Customer.number,),
    "-number": (Customer.number.desc(),),
}
DEFAULT_SORT = "-created_at"
# Up to this many matches the page is sorted among their ids (see ``search_customers``).
COLLECT_IDS_UP_TO = 2000
EXACT_FILTERS = {"type": Customer.type, "industry": Customer.industry, "source": Customer.source,
                 "category": Customer.category, "owner_id": Customer.owner_id, "status": Customer.status,
                 "province": Customer.province, "city": Customer.city, "district": Customer.district,
                 "size": Customer.size}  # size: a segment's company size (G1)


def search_filter(stmt, q, user):
    """Narrow a customer query to ``q``: number, name, contact name or any run of a contact phone's digits.

    The contacts' matches become an array of ids (``id = ANY(ARRAY(...))``), so
    every arm of the OR is an index condition on ``customers`` (number, name
    trigram, primary key) and PostgreSQL combines them in one BitmapOr, or walks
    the newest-first index when matches are plentiful. An ``EXISTS`` on contacts
    inside the OR defeats every index: each search read all customers and ran
    ILIKE over all contacts (80-250 ms on 100k customers; see bench/README.md).

    A ``q`` shaped like a phone number is looked for in the digits-only
    ``phone_key`` (trigram index): ``01088886666`` finds ``010-8888 6666``, and
    ``6666`` finds it too. A phone number only finds customers whose numbers
    ``user`` may read in full (privacy.py): otherwise a hit would confirm a
    masked number.
    """
    q = (q or "").strip()
    if not q:
        return stmt
    contact_ids = select(Contact.customer_id).where(name_holds(Contact.name, q))
    digits = phone_digits(q)
    if digits:
        contact_ids = union(contact_ids, readable_phone_matches(digits, user))
    return stmt.where(or_(
        Customer.number == q, name_holds(Customer.name, q),
        Customer.id == any_(func.array(contact_ids.scalar_subquery())),
    ))


SHORT_SEARCH = 2  # up to this many characters, names are searched through their letters and pairs


def name_holds(column, q):
    """``column`` (a customer's or contact's name) contains ``q``, in a way an index serves.

    Three characters and more: ILIKE, through the trigram index. One or two (the
    company 华为, the person 张三), which no trigram index can serve: whether ``q``
    is among the name's letters and letter pairs (``public.crm_grams``, lower-cased,
    GIN-indexed), which is exactly whether the name contains it.
    """
    if len(q) <= SHORT_SEARCH:
        return func.public.crm_grams(column, type_=ARRAY(Text)).contains(cast(array([q.lower()]), ARRAY(Text)))
    return column.ilike(contains_pattern(q), escape=LIKE_ESCAPE)


def readable_phone_matches(digits, user):
    """Ids of the customers with a contact whose number holds ``digits`` and that ``user`` reads in full."""
    by_phone = select(Contact.customer_id).where(Contact.phone_key.contains(digits, autoescape=True))
    readable = unmasked_owner_ids(user)
    owned = aliased(Customer)  # an alias, so the subquery never correlates with the outer customers
    by_phone = by_phone.join(owned, owned.id == Contact.customer_id)
    if readable is None:  # every owned customer's numbers; a pooled one's are masked for all (C11)
        return by_phone.where(owned.owner_id.is_not(None))
    return by_phone.where(owned.owner_id == any_(literal_ids(readable)))


def search_contacts(user, q, limit=5):
    """Contacts of customers ``user`` may see whose name holds ``q``, or whose number holds its digits.

    The number arm keeps the masking rule of ``search_filter``: only numbers
    ``user`` reads in full can match.
    """
    q = (q or "").strip()
    if not q:
        return []
    matches = [name_holds(Contact.name, q)]
    digits = phone_digits(q)
    if digits:
        matches.append(Contact.phone_key.contains(digits, autoescape=True)
                       & Contact.customer_id.in_(readable_phone_matches(digits, user)))
    visible_ids = visible_customers(user).with_only_columns(Customer.id)
    return db.session.scalars(
        select(Contact).where(or_(*matches), Contact.customer_id.in_(visible_ids))
        .options(selectinload(Contact.customer)).order_by(Contact.name, Contact.id).limit(limit)
    ).all()


def filter_customers(stmt, filters):
    """Narrow by exact codes, tags (all of them), creation dates (company days), custom fields, and ``ids``
    (a bulk selection exported: only those of them the statement already admits)."""
    filters = filters or {}
    if filters.get("ids"):
        stmt = stmt.where(Customer.id == any_(literal_ids({int(i) for i in filters["ids"]})))
    for key, column in EXACT_FILTERS.items():
        if filters.get(key) not in (None, ""):
            stmt = stmt.where(column == filters[key])
    tags = filters.get("tags") or ([filters["tag"]] if filters.get("tag") else [])
    if tags:
        stmt = stmt.where(Customer.tags.contains(list(tags)))
    start, end = _day(filters.get("created_from")), _day(filters.get("created_to"))
    if start:
        stmt = stmt.where(Customer.created_at >= _company_midnight(start))
    if end:
        stmt = stmt.where(Customer.created_at < _company_midnight(end + timedelta(days=1)))
    custom = filters.get("custom") or {}
    for definition in definitions("customer"):
        if definition.key in custom:
            condition = filter_condition(Customer.custom, definition, custom[definition.key])
            if condition is not None:
                stmt = stmt.where(condition)
    return stmt


def customers_statement(user, q=None, filters=None, base=None):
    """The visible, matching customers as one statement (list, API and export share it).

    ``base`` replaces the visible customers (a pool's list searches its own customers the same way).
    """
    return filter_customers(search_filter(visible_customers(user) if base is None else base, q, user), filters)


def search_customers(user, q=None, page=1, per_page=PER_PAGE, filters=None, sort=None, base=None, sorts=None):
    """A page of the customers ``user`` may see that match, in ``sort`` order, and the total.

    With a search or a filter, the count also collects the matching ids when
    there are few of them, and the page is sorted among those ids. Otherwise
    PostgreSQL may walk the sort's index hoping to meet 50 matches early, and
    a rare match late in that order (the one customer called "Zanzibar ..."
    sorted by name) makes it read every row: DESIGN.md measured 67 ms for that
    against 4.5 ms. Collecting the ids in the count also spares evaluating
    the search twice (bench/README.md: a filtered search went from twice its
    floor to the floor). Many matches are dense, so the index walk finds its
    50 quickly and stays.
    """
    stmt = customers_statement(user, q, filters, base)
    sorts = sorts or SORTS
    order = sorts.get(sort) or sorts.get(DEFAULT_SORT) or next(iter(sorts.values()))
    if q or _any_filter(filters):
        matches = stmt.with_only_columns(Customer.id).subquery()
        total, ids = db.session.execute(select(
            func.count(), case((func.count() <= COLLECT_IDS_UP_TO, func.array_agg(matches.c.id)))
        ).select_from(matches)).one()
        if ids is not None:
            stmt = select(Customer).where(Customer.id == any_(literal_ids(ids))) if ids else None
    else:
        total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    if not total or stmt is None:
        return [], total
    rows = db.session.scalars(
        stmt.options(selectinload(Customer.contacts), selectinload(Customer.owner))
        .order_by(*order).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return rows, total


def _any_filter(filters):
    return any(value not in (None, "", [], {}) for value in (filters or {}).values())


def _day(value):
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _company_midnight(day):
    return datetime.combine(day, time.min, ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


# Filters the list's URL carries as one value each (tags, owner and custom fields have their own shapes).
EXACT = ("type", "industry", "source", "category", "status", "province", "city", "district", "created_from",
         "created_to", "size")


def read_filters(args):
    """``(q, filters, sort, page)`` from a query string (or a posted form carrying the same names).

    The list page, its export and the bulk actions read the same names, so
    a filtered list exports and acts on exactly what it shows.
    """
    filters = {key: args.get(key, "").strip() for key in EXACT if args.get(key, "").strip()}
    tags = [t for t in args.getlist("tag") if t.strip()]
    if tags:
        filters["tags"] = tags
    owner = args.get("owner_id", "")
    if owner.isdigit():
        filters["owner_id"] = int(owner)
    custom = {}
    for d in definitions("customer"):
        name = f"cf-{d.key}"
        if d.type == "number":
            value = (args.get(f"{name}-min", ""), args.get(f"{name}-max", ""))
        elif d.type == "date":
            value = (args.get(f"{name}-from", ""), args.get(f"{name}-to", ""))
        else:
            value = args.get(name, "")
        if any(value) if isinstance(value, tuple) else value:
            custom[d.key] = value
    if custom:
        filters["custom"] = custom
    sort = args.get("sort") if args.get("sort") in SORTS else DEFAULT_SORT
    return args.get("q", "").strip(), filters, sort, page_number(args.get("page", "1"))
