"""Campaigns as the features below them see them: whether an id is one, its name, the picker's choices.

Customers, deals and the list exports name the campaign a record came from
(G1), yet they sit below the campaigns feature in the layers (pyproject's
import contract) and may not import it. They read the ``campaigns`` table
here through a bare ``sqlalchemy.table`` reference, by name: no model, no
import of the feature, and the company's schema comes from the connection's
schema map like any tenant table's. Only these few columns are read; what a
campaign is and does stays with ``blueprints/campaigns`` (features above
it, such as imports, bulk and reports, use its own ``services.choices``).
"""
from flask import g, has_request_context
from sqlalchemy import BigInteger, Column, DateTime, MetaData, String, Table, select

from crm_saas.core.base import TENANT_SCHEMA
from crm_saas.extensions import db

# A ``Table`` (a bare ``table()`` clause misses the schema map) in a MetaData of its own: the model proper is
# the campaigns feature's, and the tenant tables, migrations and drift checks know only that one.
CAMPAIGNS = Table("campaigns", MetaData(), Column("id", BigInteger, primary_key=True), Column("name", String(200)),
                  Column("status", String(20)), Column("created_at", DateTime(timezone=True)), schema=TENANT_SCHEMA)
# A cancelled campaign brought nobody: the pickers leave it out (a record that holds one keeps it).
CLOSED = "cancelled"


def is_id(value):
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 2**63 - 1


def campaign_exists(campaign_id):
    """Whether ``campaign_id`` names one of the company's campaigns (any status)."""
    return is_id(campaign_id) and db.session.scalar(
        select(CAMPAIGNS.c.id).where(CAMPAIGNS.c.id == campaign_id)) is not None


def campaign_names(ids):
    """``{id: name}`` of those of ``ids`` that are campaigns (one statement for a page of records)."""
    wanted = {i for i in ids if is_id(i)}
    if not wanted:
        return {}
    return dict(db.session.execute(select(CAMPAIGNS.c.id, CAMPAIGNS.c.name).where(CAMPAIGNS.c.id.in_(wanted))).all())


def campaign_name(campaign_id):
    """The campaign's name, or None (no campaign, or one deleted since); asked once per request and id (a page
    names a customer's campaign in its summary and again beside the quick deal form)."""
    if campaign_id is None:
        return None
    known = g.setdefault("campaign_names", {}) if has_request_context() else {}
    if campaign_id not in known:
        known[campaign_id] = campaign_names([campaign_id]).get(campaign_id)
    return known[campaign_id]


def campaign_options(keep=None):
    """``[(id, name)]`` for a picker: campaigns not cancelled, newest first, plus ``keep`` (the record's own)."""
    rows = db.session.execute(
        select(CAMPAIGNS.c.id, CAMPAIGNS.c.name)
        .where(CAMPAIGNS.c.status.is_distinct_from(CLOSED) | (CAMPAIGNS.c.id == (keep if is_id(keep) else 0)))
        .order_by(CAMPAIGNS.c.created_at.desc(), CAMPAIGNS.c.id.desc())).all()
    return [(row.id, row.name) for row in rows]


def name_key(name):
    """A campaign's name as an import compares it: exact but for case and surrounding spaces."""
    return (name or "").strip().casefold()


def campaign_ids_by_name():
    """``{name_key(name): id}`` of every campaign (an import matches a cell by name).

    A name two campaigns share maps to None: the cell cannot say which one.
    """
    found = {}
    for campaign_id, name in db.session.execute(select(CAMPAIGNS.c.id, CAMPAIGNS.c.name).order_by(CAMPAIGNS.c.id)):
        key = name_key(name)
        found[key] = None if key in found else campaign_id
    return found
