"""The board's numbers and cards (D3), always under the viewer's visibility and filters.

Filters: one owner, or a team (a supervisor's subtree), an expected close
date range and an amount range. The same filtered statement feeds the
column totals (count, amount, weighted amount), the first cards of each
column (one LATERAL query) and the next cards when a column scrolls.
"""
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import and_, any_, func, or_, select, true
from sqlalchemy.orm import joinedload, load_only

from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.pipeline.models import Deal, Stage
from crm_saas.core.users import User
from crm_saas.core.visibility import literal_ids, subtree_ids, visible
from crm_saas.extensions import db

# A column's first cards; more come as its list is scrolled (_more_marker.html). About four screens of a column
# at 1440x900: the board's time is rendering cards (bench/README.md), and 50 a column was 300 cards nobody saw.
CARDS_PER_COLUMN = 20
CENT = Decimal("0.01")  # weighted amounts round half up, as money does on paper (3,500.125 -> 3,500.13)
FILTER_KEYS = ("owner_id", "team", "close_from", "close_to", "amount_min", "amount_max")


def read_filters(args):
    """The board's filters from a query string; unreadable values are dropped (a filter box is not a form)."""
    filters = {}
    for key in ("owner_id", "team"):
        if str(args.get(key, "")).isdigit():
            filters[key] = int(args[key])
    for key in ("close_from", "close_to"):
        try:
            filters[key] = date.fromisoformat(args.get(key, ""))
        except (TypeError, ValueError):
            pass
    for key in ("amount_min", "amount_max"):
        try:
            filters[key] = Decimal(str(args.get(key, "")))
        except InvalidOperation:
            pass
    return filters


def filtered(statement, user, filters):
    """``statement`` (over deals) narrowed to the visible, filtered deals that are not in the recycle bin."""
    statement = visible(statement.where(Deal.deleted_at.is_(None)), Deal.owner_id, user)
    filters = filters or {}
    if filters.get("owner_id"):
        statement = statement.where(Deal.owner_id == filters["owner_id"])
    if filters.get("team"):
        statement = statement.where(Deal.owner_id == any_(literal_ids(subtree_ids(filters["team"]))))
    if filters.get("close_from"):
        statement = statement.where(Deal.expected_close >= filters["close_from"])
    if filters.get("close_to"):
        statement = statement.where(Deal.expected_close <= filters["close_to"])
    if filters.get("amount_min") is not None:
        statement = statement.where(Deal.amount >= filters["amount_min"])
    if filters.get("amount_max") is not None:
        statement = statement.where(Deal.amount <= filters["amount_max"])
    return statement


def column_totals(pipeline_id, user, stage_ids=None, filters=None):
    """``{stage_id: (count, amount, weighted amount)}`` over the deals ``user`` sees through ``filters``."""
    # Summed, then divided once: the same exact value, without a division per row.
    weighted = func.coalesce(func.sum(Deal.amount * func.coalesce(Deal.probability, 0)), 0) / 100
    stmt = filtered(
        select(Deal.stage_id, func.count(), func.coalesce(func.sum(Deal.amount), 0), weighted)
        .where(Deal.pipeline_id == pipeline_id).group_by(Deal.stage_id),
        user, filters,
    )
    if stage_ids is not None:
        stmt = stmt.where(Deal.stage_id.in_(stage_ids))
    return {stage_id: (count, amount, Decimal(weight).quantize(CENT, ROUND_HALF_UP))
            for stage_id, count, amount, weight in db.session.execute(stmt)}


# What a card shows (pipeline/_card.html) and nothing more: whole deal rows (notes, product lines, custom values)
# were the board's slowest statement and most of its objects' weight.
CARD_COLUMNS = (
    load_only(Deal.id, Deal.name, Deal.amount, Deal.probability, Deal.expected_close, Deal.version,
              Deal.customer_id, Deal.owner_id, Deal.stage_id, Deal.position, Deal.stage_changed_at,
              Deal.last_activity_at, Deal.created_at),
    joinedload(Deal.customer).load_only(Customer.id, Customer.name),
    joinedload(Deal.owner).load_only(User.id, User.name),
)


def board(pipeline, user, filters=None, limit=CARDS_PER_COLUMN):
    """Each stage with its totals and its first ``limit`` cards: ``[{"stage", "count", "amount", "weighted",
    "deals", "more"}]``."""
    first_cards = (
        filtered(select(Deal.id), user, filters)
        .where(Deal.stage_id == Stage.id)
        .order_by(Deal.position, Deal.id)
        .limit(limit)
        .correlate(Stage)
        .lateral("first_cards")
    )
    stages = pipeline.stages  # loaded first: each card's stage is then found in the session, not joined again
    deals = db.session.scalars(
        select(Deal)
        .select_from(Stage)
        .join(first_cards, true())
        .join(Deal, Deal.id == first_cards.c.id)
        .where(Stage.pipeline_id == pipeline.id)
        .options(*CARD_COLUMNS)
        .order_by(Deal.position, Deal.id)
    ).all()
    by_stage = {}
    for deal in deals:
        by_stage.setdefault(deal.stage_id, []).append(deal)
    totals = column_totals(pipeline.id, user, filters=filters)
    columns = []
    for stage in stages:
        count, amount, weighted = totals.get(stage.id, (0, 0, 0))
        cards = by_stage.get(stage.id, [])
        columns.append({"stage": stage, "count": count, "amount": amount, "weighted": weighted, "deals": cards,
                        "more": count > len(cards)})
    return columns


def more_cards(stage, user, filters, after_position, after_id, limit=CARDS_PER_COLUMN):
    """The next ``limit`` cards of a column after the card at (``after_position``, ``after_id``), and whether
    any follow."""
    rows = db.session.scalars(
        filtered(select(Deal), user, filters)
        .where(Deal.stage_id == stage.id, or_(Deal.position > after_position,
                                             and_(Deal.position == after_position, Deal.id > after_id)))
        .options(*CARD_COLUMNS, joinedload(Deal.stage).load_only(Stage.id, Stage.kind, Stage.code, Stage.name))
        .order_by(Deal.position, Deal.id).limit(limit + 1)
    ).all()
    return rows[:limit], len(rows) > limit
