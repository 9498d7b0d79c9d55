"""What a figure is counted over: the viewer, a period in China time, and the region, owner and team filters.

One ``Scope`` is read from the query string (page, API and export job read
the same names: ``range``, ``from``, ``to``, ``province``, ``city``,
``owner_id``, ``team_id``) and handed to every figure, so the dashboard, a
report, its export and the list behind a number all count the same records.

Periods are company days (``BABEL_DEFAULT_TIMEZONE``, Asia/Shanghai): a
customer added at 00:30 on 1 January in Shanghai (16:30 UTC on 31 December)
belongs to January and to the new year. The period is half-open,
``start <= t < end``, both aware datetimes.
"""
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import any_

from crm_saas.core.errors import FieldErrors
from crm_saas.core.visibility import literal_ids, subtree_ids, visible

RANGES = {"day": _l("Today"), "week": _l("This week"), "month": _l("This month"), "quarter": _l("This quarter"),
          "custom": _l("Custom")}
CALENDAR = ("day", "week", "month", "quarter")
DEFAULT_RANGE = "month"
MAX_DAYS = 3 * 366  # a longer custom period is refused: no report reads ten years at once
FIRST_YEAR, LAST_YEAR = 1900, 2999
ARGS = ("range", "from", "to", "province", "city", "owner_id", "team_id")


def company_tz():
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def company_today():
    return datetime.now(company_tz()).date()


def midnight(day):
    """The start of ``day`` in company time, as an aware datetime."""
    return datetime.combine(day, time.min, company_tz())


@dataclass(frozen=True)
class Scope:
    """The viewer and the filters of one figure. ``first``/``last`` are company days, both included."""

    user: object
    first: date
    last: date
    range: str = DEFAULT_RANGE
    province: str | None = None
    city: str | None = None
    owner_id: int | None = None
    team_id: int | None = None
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def start(self):
        return midnight(self.first)

    @property
    def end(self):
        """Exclusive: midnight after the last day."""
        return midnight(self.last + timedelta(days=1))

    @property
    def days(self):
        return (self.last - self.first).days + 1

    def previous(self):
        """The period before, to compare with: the calendar unit before for day/week/month/quarter, else as many
        days just before. The previous of March is all of February, whatever day of March it is."""
        if self.range == "month":
            last = self.first - timedelta(days=1)
            return replace(self, first=last.replace(day=1), last=last)
        if self.range == "quarter":
            last = self.first - timedelta(days=1)
            return replace(self, first=_quarter_start(last), last=last)
        return replace(self, first=self.first - timedelta(days=self.days), last=self.first - timedelta(days=1))

    def during(self, column):
        """``column`` (a timestamp) inside the period."""
        return (column >= self.start) & (column < self.end)

    def owned(self, statement, owner_column):
        """``statement`` narrowed to what the viewer sees (the one rule), then to the owner or team filter.

        A team filter is intersected with the viewer's sight, never widened: a
        supervisor filtering by a colleague's team sees the part of it below
        themselves, so no total tells them a hidden figure.
        """
        statement = visible(statement, owner_column, self.user)
        if self.owner_id:
            statement = statement.where(owner_column == self.owner_id)
        if self.team_id:
            statement = statement.where(owner_column == any_(literal_ids(subtree_ids(self.team_id))))
        return statement

    def in_region(self, statement, customer):
        """``statement`` narrowed to customers (the ``customer`` entity or alias, joined) in the province/city."""
        if self.province:
            statement = statement.where(customer.province == self.province)
        if self.city:
            statement = statement.where(customer.city == self.city)
        return statement

    def args(self, **more):
        """The scope as query arguments (for links to the list behind a figure, exports and the API).

        ``from`` is always there, so a link or an export made before midnight still means the same period after.
        """
        values = {"range": self.range, "from": self.first.isoformat(), "province": self.province, "city": self.city,
                  "owner_id": self.owner_id, "team_id": self.team_id}
        if self.range == "custom":
            values["to"] = self.last.isoformat()
        values.update(more)
        return {key: value for key, value in values.items() if value not in (None, "")}

    def with_period(self, first, last, range_="custom"):
        return replace(self, first=first, last=last, range=range_)


def _quarter_start(day):
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def period_of(range_, today):
    """``(first, last)`` of the calendar ``range_`` holding ``today`` (weeks start on Monday)."""
    if range_ == "day":
        return today, today
    if range_ == "week":
        first = today - timedelta(days=today.weekday())
        return first, first + timedelta(days=6)
    if range_ == "quarter":
        first = _quarter_start(today)
    else:
        first = today.replace(day=1)
    months = 3 if range_ == "quarter" else 1
    year, month = divmod(first.month - 1 + months, 12)
    return first, date(first.year + year, month + 1, 1) - timedelta(days=1)


def read_scope(user, args, default_range=DEFAULT_RANGE):
    """The scope from a query string or JSON-ish mapping; ``FieldErrors`` naming each unreadable argument.

    ``range`` picks the day, week, month or quarter holding ``from`` (today
    without it): ``range=month&from=2026-11-01`` is all of November. ``from``
    and ``to`` (company days, ``YYYY-MM-DD``) without a calendar range make a
    custom period.
    """
    errors = {}
    get = args.get
    range_ = (get("range") or "").strip() or None
    if range_ is not None and range_ not in RANGES:
        errors["range"] = [_l("Choose day, week, month, quarter or custom.")]
    first, last = _day(get("from"), "from", errors), _day(get("to"), "to", errors)
    ids = {}
    for key in ("owner_id", "team_id"):
        raw = get(key)
        if raw in (None, ""):
            continue
        try:
            ids[key] = int(raw)
            if ids[key] <= 0:
                raise ValueError
        except (TypeError, ValueError):
            errors[key] = [_l("Choose a person from the list.")]
    today = company_today()
    if range_ in CALENDAR and first and not errors:
        first, last = period_of(range_, first)  # the calendar period holding ``from``: last month, last week...
    elif first or last:
        first, last = first or (last - timedelta(days=30) if last else today), last or today
        if last < first:
            errors["to"] = [_l("The end date is before the start date.")]
        elif (last - first).days >= MAX_DAYS:
            errors["to"] = [_l("Choose a period of at most three years.")]
        range_ = "custom"
    elif range_ == "custom":
        errors["from"] = [_l("Enter a start date for a custom period.")]
    if errors:
        raise FieldErrors(errors)
    if range_ != "custom" and not first:
        range_ = range_ or default_range
        first, last = period_of(range_, today)
    text = {key: (get(key) or "").strip() or None for key in ("province", "city")}
    return Scope(user=user, first=first, last=last, range=range_, **text, **ids)


def _day(raw, name, errors):
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        return raw
    try:
        day = date.fromisoformat(str(raw).strip())
    except ValueError:
        errors[name] = [_l("Enter a date as YYYY-MM-DD.")]
        return None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:  # the period before or after must still be a date
        errors[name] = [_l("Enter a date between %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)]
        return None
    return day
