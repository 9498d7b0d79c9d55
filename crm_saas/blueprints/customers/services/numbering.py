"""Customer numbers (C1): generated on save from the company's pattern, unique, never edited.

A pattern is literal text with date tokens and one serial token, e.g. the
default ``CRM{YYYY}{MM}{DD}{SEQ:4}`` -> ``CRM202612010001``. The serial
counts per rendered prefix (``CRM20261201``), so it restarts exactly when the
number's date part changes: daily for the default, monthly for
``KH{YYYY}{MM}-{SEQ:5}``, never for ``C{SEQ:6}``. Dates are the company's
(China time), not UTC: a customer saved at 07:00 in Shanghai is today's.
"""
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert

from crm_saas.blueprints.customers.models import Customer, NumberCounter
from crm_saas.core.settings import get_setting
from crm_saas.extensions import db

DEFAULT_PATTERN = "CRM{YYYY}{MM}{DD}{SEQ:4}"
NUMBER_MAX = 40
_TOKEN = re.compile(r"\{([A-Z]+)(?::(\d+))?\}")
_DATE_TOKENS = {"YYYY": "%Y", "YY": "%y", "MM": "%m", "DD": "%d"}
_LITERAL = re.compile(r"^[A-Za-z0-9_\-/.]*$")


def pattern_errors(pattern):
    """Messages for a pattern an admin typed; empty when it can number customers."""
    pattern = (pattern or "").strip()
    if not pattern:
        return [_("Enter a number pattern.")]
    tokens = list(_TOKEN.finditer(pattern))
    serials = [m for m in tokens if m.group(1) == "SEQ"]
    unknown = [m.group(0) for m in tokens if m.group(1) not in _DATE_TOKENS and m.group(1) != "SEQ"]
    errors = []
    if unknown:
        errors.append(_("Unknown token %(token)s: use {YYYY}, {YY}, {MM}, {DD} and {SEQ:4}.", token=unknown[0]))
    if len(serials) != 1 or serials[0].start() != tokens[-1].start():
        errors.append(_("Use exactly one serial token, {SEQ:n}, after the date tokens."))
    elif not 3 <= int(serials[0].group(2) or 0) <= 8:
        errors.append(_("The serial needs 3 to 8 digits, e.g. {SEQ:4}."))
    if not _LITERAL.match(_TOKEN.sub("", pattern)):
        errors.append(_("Outside tokens, use letters, digits and - _ / . only."))
    if not errors and len(render(pattern, datetime(2026, 12, 31), 10 ** 8 - 1)) > NUMBER_MAX:
        errors.append(_("Numbers would be longer than %(max)d characters.", max=NUMBER_MAX))
    return errors


def render(pattern, day, serial):
    """The number for ``serial`` on ``day``; ``serial=None`` gives the prefix the counter is kept for."""
    def token(match):
        name, width = match.group(1), match.group(2)
        if name == "SEQ":
            return f"{serial:0{int(width)}d}" if serial is not None else f"#{width}"
        return day.strftime(_DATE_TOKENS[name])

    return _TOKEN.sub(token, pattern)


def company_today():
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def next_customer_number(pattern=None, day=None):
    """The next free customer number (``next_number`` with the customers' counters and numbers)."""
    return next_number(pattern or get_setting("customer_number_pattern"), counter="customer",
                       taken=Customer.number, day=day)


def next_number(pattern, *, counter, taken, day=None):
    """The next free number for ``pattern``: one atomic upsert, so two saves at the same moment never share one.

    ``counter`` keeps each kind of record's serials apart (``customer``,
    ``service``: the same prefix for two kinds counts twice); ``taken`` is
    the column whose numbers are in use. A number already taken (a pattern
    changed back and forth, a number typed into an import) is skipped rather
    than reused.
    """
    day = day or company_today()
    key = f"{counter}:" + render(pattern, day, None)
    while True:
        serial = db.session.scalar(
            insert(NumberCounter)
            .values(key=key, last=1)
            .on_conflict_do_update(index_elements=["key"], set_={"last": NumberCounter.last + 1})
            .returning(NumberCounter.last)
        )
        number = render(pattern, day, serial)
        if not db.session.scalar(select(exists().where(taken == number))):
            return number
