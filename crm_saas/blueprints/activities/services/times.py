"""Times as people type and read them: the company's local time (Asia/Shanghai) in, UTC stored.

One parser for form inputs (``2026-12-01T14:30`` from ``datetime-local``)
and API values (ISO 8601, with or without an offset), so the form and the API
accept and refuse the same things.
"""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


def company_tz():
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def parse_time(value):
    """An aware datetime from a datetime or an ISO string (naive means company time); None if unreadable.

    A ``+`` that a query string turned into a space is read back as ``+``.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if " " in text[10:]:  # "2026-12-01T08:00:00 08:00": the + of the offset, decoded as a space
            head, _sep, tail = text.rpartition(" ")
            text = f"{head}+{tail}" if tail[:2].isdigit() and "T" in head else text
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=company_tz())


def local_input(value):
    """What a ``datetime-local`` input shows for a stored time ('' for none)."""
    return value.astimezone(company_tz()).strftime(LOCAL_INPUT) if value else ""


def local_now():
    return datetime.now(company_tz())


def day_start(day):
    """Midnight of ``day`` in company time, as an aware datetime."""
    return datetime.combine(day, time.min, company_tz())


def week_start(day):
    return day - timedelta(days=day.weekday())


def parse_week(value):
    """Monday of an ISO week (``2026-W49``); None if unreadable."""
    try:
        year, week = str(value).upper().split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    except (ValueError, TypeError):
        return None


def week_name(monday):
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"
