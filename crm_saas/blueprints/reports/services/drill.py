"""The list behind a figure: a page of a measure's records and their total, under the same scope.

A measure (``catalog.Measure``, gathered by ``registry.all_measures``) names
the ``base`` statement its figure counts; this lists that statement's rows,
so the list has exactly as many rows as the figure says. The rows come with
what the table shows (customer, stage, owner...) loaded in one statement per
relation, never one per row.

A measure's own arguments (``Measure.params``) come from the query string:
a name ending in ``_id`` as a positive integer (anything else finds no
list: None), every other as the text given (None when absent).
"""
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.activities.models import Activity, Task
from crm_saas.blueprints.activities.services import type_label
from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.customers.services import codes
from crm_saas.blueprints.pipeline.models import Deal
from crm_saas.blueprints.pipeline.services import get_stage
from crm_saas.blueprints.pipeline.services.defaults import stage_label
from crm_saas.blueprints.reports.services.lifecycle import POOL
from crm_saas.blueprints.reports.services.registry import all_measures
from crm_saas.core.campaign_refs import campaign_name
from crm_saas.core.staff import get_visible_staff
from crm_saas.extensions import db

PER_PAGE = 50

# entity: (model, what its table shows, newest first)
ENTITIES = {
    "customers": (Customer, (Customer.owner,), (Customer.created_at.desc(), Customer.id.desc())),
    "deals": (Deal, (Deal.customer, Deal.stage, Deal.owner), (Deal.stage_changed_at.desc(), Deal.id.desc())),
    "activities": (Activity, (Activity.customer, Activity.deal, Activity.created_by),
                   (Activity.occurred_at.desc(), Activity.id.desc())),
    "tasks": (Task, (Task.customer, Task.deal, Task.assignee), (Task.due_at, Task.id)),
}


def _stage_name(value):
    stage = get_stage(value)
    return stage_label(stage) if stage else str(value)


# How a measure's argument reads in the list's title ("Deals that entered Proposal"); others show as given.
PARAM_LABELS = {
    "stage_id": _stage_name,
    "source": lambda value: codes.label(codes.SOURCES, value),
    "industry": lambda value: codes.label(codes.INDUSTRIES, value),
    "customer_type": lambda value: codes.label(codes.CUSTOMER_TYPES, value),
    "activity_type": type_label,
    "from_type": lambda value: codes.label(codes.CUSTOMER_TYPES, value),
    "to_type": lambda value: codes.label(codes.CUSTOMER_TYPES, value),
    "campaign_id": lambda value: campaign_name(value) or f"#{value}",
}


class _Blank(dict):
    """Title arguments: one a title names but the link lacks reads as nothing rather than failing."""

    def __missing__(self, key):
        return ""


@dataclass
class Records:
    name: str
    entity: str
    title: str
    params: dict
    rows: list
    total: int
    page: int
    per_page: int = PER_PAGE
    amount: Decimal | None = None  # deals: the sum of their amounts, beside a money figure
    extra: dict = field(default_factory=dict)


def get_measure(name):
    return all_measures().get(name)


def read_params(measure, args):
    """``{name: value}`` of the measure's own arguments, or None when an id is unreadable."""
    values = {}
    for name in measure.params:
        raw = (args.get(name) or "").strip()
        if name.endswith("_id") and raw:
            if not raw.isdigit() or int(raw) <= 0:
                return None
            values[name] = int(raw)
        else:
            values[name] = raw or None
    return values


def title_of(measure, params, viewer=None):
    """The list's title: the measure's words with its arguments as labels, then whose records they are when a
    ``person`` or ``team`` argument narrows them (a report row's name), as the viewer may see that person."""
    labels = _Blank({name: (PARAM_LABELS[name](value) if name in PARAM_LABELS else value) if value is not None
                     else "" for name, value in params.items()})
    title = str(measure.title) % labels if measure.params else str(measure.title)
    return " · ".join([title, *_whose(params, viewer)])


def _whose(params, viewer):
    if viewer is None:
        return []
    names = []
    for key, words in (("person", "%(name)s"), ("team", _l("%(name)s's team"))):
        value = params.get(key)
        if value == POOL and key == "person":
            names.append(_("In a pool"))
        elif value not in (None, "") and str(value).isdigit():
            person = get_visible_staff(viewer, int(value))
            if person is not None:
                names.append(str(words) % {"name": person.name})
    return names


def statement(measure, scope, params):
    return measure.statement(scope, **params)


def count_of(measure, scope, params):
    """How many records the measure finds (what a figure built from it says)."""
    sub = statement(measure, scope, params).subquery()
    return db.session.scalar(select(func.count()).select_from(sub))


def records(name, scope, args, page=1):
    """The page of ``name``'s records under ``scope``, or None for an unknown measure or unreadable arguments."""
    measure = get_measure(name)
    if measure is None or measure.entity not in ENTITIES:
        return None
    params = read_params(measure, args)
    if params is None:
        return None
    model, shown, order = ENTITIES[measure.entity]
    stmt = statement(measure, scope, params)
    sub = stmt.subquery()
    figures = [func.count()]
    if measure.entity == "deals":
        figures.append(func.coalesce(func.sum(sub.c.amount), 0))
    row = db.session.execute(select(*figures).select_from(sub)).one()
    page = max(1, page)
    rows = db.session.scalars(
        stmt.options(*(selectinload(relation) for relation in shown)).order_by(*order)
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all() if row[0] else []
    return Records(name=name, entity=measure.entity, title=title_of(measure, params, scope.user), params=params,
                   rows=rows, total=row[0], page=page, amount=row[1] if len(row) > 1 else None)

