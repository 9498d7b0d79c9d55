"""The arithmetic every report shares, so a rate or an average is rounded the same way everywhere.

Percentages and days to one decimal place, money to the cent, half up (as
a person rounds: 37.45 is 37.5); a rate or an average over nothing is None
(shown blank), never 0, which would read as a measured result.
"""
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import any_, func, select

from crm_saas.core.users import User
from crm_saas.core.visibility import literal_ids
from crm_saas.extensions import db

ONE_PLACE, CENTS = Decimal("0.1"), Decimal("0.01")
SECONDS_A_DAY = Decimal(86400)


def percent(part, whole):
    """``part`` of ``whole`` in percent, one decimal (3 of 8: 37.5); None when ``whole`` is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_PLACE, ROUND_HALF_UP)


def average_money(total, count):
    if not count:
        return None
    return (Decimal(total or 0) / count).quantize(CENTS, ROUND_HALF_UP)


def average_days(seconds, count):
    """The average of ``count`` spans that add up to ``seconds``, in days with one decimal."""
    if not count or seconds is None:
        return None
    return (Decimal(seconds) / SECONDS_A_DAY / count).quantize(ONE_PLACE, ROUND_HALF_UP)


def money(value):
    return Decimal(value or 0).quantize(CENTS, ROUND_HALF_UP)


def span_seconds(start, end):
    """SQL: the seconds from ``start`` to ``end`` (two timestamps), summed or averaged by the caller."""
    return func.extract("epoch", end - start)


def names_of(ids):
    """``{id: name}`` of these people, in one statement (departed people keep their names)."""
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id == any_(literal_ids(ids)))).all())


def by_name(people, names):
    """``people`` (ids) in the order a reader looks them up: by name (pinyin order, as core.staff), then id."""
    return sorted(people, key=lambda person: ((names.get(person) or "").encode("gb18030", "replace"), person))
