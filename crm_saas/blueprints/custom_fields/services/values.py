"""What a definition means for the values under its key: checking, showing, filtering, reading forms.

Pure functions of definitions and values, with no query of their own, so
forms, the API, list filters and the export worker all judge and show a
value the same way. Values are stored as JSON: text, numbers, ISO date
strings, lists of options and booleans; an empty value is not stored at all.
"""
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import Numeric, and_, case, cast, func

from crm_saas.core.queries import LIKE_ESCAPE, contains_pattern
from crm_saas.core.validators import holds_resident_id, resident_id_message

TEXT_MAX = 1000
NUMBER_LIMIT = Decimal(10) ** 15  # beyond this a JSON number stops round-tripping exactly through floats
NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TRUE_WORDS = frozenset({"true", "1", "on", "yes", "y"})
FALSE_WORDS = frozenset({"false", "0", "off", "no", "n"})


class _Refused(ValueError):
    """A value its field cannot take; the message names the field by its label."""


def _blank(value):
    return value is None or value == [] or (isinstance(value, str) and value.strip() == "")


def _as_text(definition, value):
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise _Refused(_("%(label)s: enter text.", label=definition.label))
    text = str(value).strip()
    if len(text) > TEXT_MAX:
        raise _Refused(_("%(label)s: at most %(max)d characters.", label=definition.label, max=TEXT_MAX))
    if holds_resident_id(text):  # C12, in the custom text of customers and deals alike
        raise _Refused(resident_id_message(definition.label))
    return text


def parse_number(value):
    """int when integral, else float; None for anything that is not a finite number (booleans included)."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, str):
            value = value.strip().replace(",", "")
            if not NUMBER_RE.match(value):
                return None
        number = Decimal(str(value)) if isinstance(value, (str, int, float, Decimal)) else None
    except InvalidOperation:
        return None
    if number is None or not number.is_finite() or abs(number) >= NUMBER_LIMIT:
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def _as_number(definition, value):
    number = parse_number(value)
    if number is None:
        raise _Refused(_("%(label)s: enter a number.", label=definition.label))
    return number


def parse_date(value):
    """``YYYY-MM-DD`` for a real date (given as such a string or a ``date``), else None."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and DATE_RE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            return None
    return None


def _as_date(definition, value):
    text = parse_date(value)
    if text is None:
        raise _Refused(_("%(label)s: enter a date as YYYY-MM-DD.", label=definition.label))
    return text


def _as_choice(definition, value):
    if not isinstance(value, str) or value.strip() not in definition.options:
        raise _Refused(_("%(label)s: choose a value from the list.", label=definition.label))
    return value.strip()


def _as_choices(definition, value):
    """Listed options, each once, in the definition's order (so equal choices store equal JSON)."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(item, str) for item in items):
        raise _Refused(_("%(label)s: choose values from the list.", label=definition.label))
    chosen = {item.strip() for item in items if item.strip()}
    if chosen - set(definition.options):
        raise _Refused(_("%(label)s: choose values from the list.", label=definition.label))
    return [option for option in definition.options if option in chosen]


def parse_bool(value):
    """True/False from JSON booleans, 1/0 and the words forms and people send; None otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    word = value.strip().lower() if isinstance(value, str) else None
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None


def _as_bool(definition, value):
    answer = parse_bool(value)
    if answer is None:
        raise _Refused(_("%(label)s: choose yes or no.", label=definition.label))
    return answer


COERCE = {"text": _as_text, "number": _as_number, "date": _as_date, "choice": _as_choice,
          "multichoice": _as_choices, "bool": _as_bool}


def clean(definitions, raw, *, partial=False):
    """``(values, errors)`` for ``raw`` ({key: value}) against ``definitions``.

    Errors are keyed ``custom.<key>`` and name the field by its label; every
    problem is reported at once. Empty values are left out of ``values``, so
    the stored JSON holds only what was set (and a filter on "has a value"
    is a key test). With ``partial``, keys not sent are neither required nor
    returned.
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        return {}, {"custom": [_("Send the custom fields as an object of key: value.")]}
    known = {d.key: d for d in definitions}
    errors = {f"custom.{key}": [_("Unknown custom field.")] for key in raw if key not in known}
    values = {}
    for definition in definitions:
        if definition.key not in raw and partial:
            continue
        value = raw.get(definition.key)
        try:
            value = None if _blank(value) else COERCE.get(definition.type, _as_text)(definition, value)
        except _Refused as refused:
            errors[f"custom.{definition.key}"] = [str(refused)]
            continue
        if _blank(value):
            if definition.required:
                errors[f"custom.{definition.key}"] = [_("%(label)s is required.", label=definition.label)]
            continue
        values[definition.key] = value
    return values, errors


def _chinese():
    locale = get_locale()
    return locale is not None and locale.language == "zh"


def plain_number(value):
    """12 not 12.0, 0.5 not 5E-1: a stored number as people write it."""
    try:
        return format(Decimal(str(value)).normalize(), "f")
    except (InvalidOperation, ValueError):
        return str(value)


def display_value(definition, value):
    """A stored value as text for pages and exports, in the reader's language; "" when unset."""
    if _blank(value):
        return ""
    if definition.type == "bool":
        return _("Yes") if parse_bool(value) else _("No")
    if definition.type == "multichoice":
        items = value if isinstance(value, list) else [value]
        return ("、" if _chinese() else ", ").join(str(item) for item in items)
    if definition.type == "number" and not isinstance(value, bool):
        return plain_number(value)
    return str(value)


def _bounds(value, parse):
    """A ``(low, high)`` pair of parsed values (None where empty or unparsable)."""
    pair = value if isinstance(value, (list, tuple)) and len(value) == 2 else (value, value)
    return tuple(None if _blank(part) else parse(part) for part in pair)


def filter_condition(column, definition, value):
    """A WHERE clause on the JSONB ``column`` for a list filter, or None when there is nothing to filter.

    Choices and yes/no use containment (``@>``), which the GIN index on the
    column serves. Unparsable input filters nothing instead of failing: a
    filter box is not a form.
    """
    key, kind = definition.key, definition.type
    if kind == "number":
        low, high = _bounds(value, parse_number)
        number = cast(case((func.jsonb_typeof(column[key]) == "number", column[key].astext)), Numeric)
        clauses = [number >= low] if low is not None else []
        clauses += [number <= high] if high is not None else []
        return and_(*clauses) if clauses else None
    if kind == "date":
        low, high = _bounds(value, parse_date)
        clauses = [column[key].astext >= low] if low else []
        clauses += [column[key].astext <= high] if high else []
        return and_(*clauses) if clauses else None
    if kind == "bool":
        answer = None if _blank(value) else parse_bool(value)
        return None if answer is None else column.contains({key: answer})
    if kind == "multichoice":
        items = [value] if isinstance(value, str) else value if isinstance(value, (list, tuple)) else []
        items = [item.strip() for item in items if isinstance(item, str) and item.strip()]
        return column.contains({key: items}) if items else None
    if not isinstance(value, str) or not value.strip():
        return None
    if kind == "choice":
        return column.contains({key: value.strip()})
    return column[key].astext.ilike(contains_pattern(value.strip()), escape=LIKE_ESCAPE)


def read_form(definitions, formdata):
    """Raw values from inputs named ``custom-<key>``: lists for multiple choice, an unticked box is False."""
    raw = {}
    for definition in definitions:
        name = f"custom-{definition.key}"
        if definition.type == "multichoice":
            raw[definition.key] = formdata.getlist(name)
        elif definition.type == "bool":
            raw[definition.key] = parse_bool(formdata.get(name, "")) is True
        else:
            raw[definition.key] = formdata.get(name)
    return raw
