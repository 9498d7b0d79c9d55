"""Input no field can hold is refused where it enters, for pages and the API alike.

PostgreSQL stores no NUL character in text or JSON, and no integer past
64 bits in a BIGINT: such input used to reach SQL and come back as a 500.
Before any view runs, a NUL anywhere in the query string, the form or a
JSON body (keys included) and a whole number past 2^63-1 are answered with
a 422 naming the field; an id past it in a path cannot exist, so the path
does not match (404: ``BigIntConverter``).
"""
from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import UnprocessableEntity
from werkzeug.routing import IntegerConverter

BIGINT_MAX = 2**63 - 1


class BigIntConverter(IntegerConverter):
    """``<int:...>`` in every route: a non-negative id that fits a BIGINT, else no match (404)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", BIGINT_MAX)
        super().__init__(url_map, *args, **kwargs)


def _problem(value):
    if isinstance(value, str):
        if "\x00" in value:
            return "nul"
        digits = value.strip().lstrip("+-")
        if digits.isdigit() and len(digits) > 18 and abs(int(digits)) > BIGINT_MAX:
            return "big"
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > BIGINT_MAX:
        return "big"
    return None


def _walk(value, name):
    """``(field, problem)`` of the first bad value in a JSON document, fields named as the 422s name them."""
    if isinstance(value, dict):
        for key, item in value.items():
            field = f"{name}.{key}" if name else str(key)
            if _problem(key) == "nul":
                return (name or "body"), "nul"
            found = _walk(item, field)
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _walk(item, f"{name}.{index}" if name else str(index))
            if found:
                return found
    else:
        problem = _problem(value)
        if problem:
            return (name or "body"), problem
    return None


def first_problem():
    for source in (request.args, request.form):
        for key, values in source.lists():
            if _problem(key) == "nul":
                return "query", "nul"
            for value in values:
                problem = _problem(value)
                if problem:
                    return key, problem
    if request.is_json:
        return _walk(request.get_json(silent=True), "")
    return None


def refuse_unreadable_input():
    """``before_request``: a 422 naming the first field no column could hold (the API answers it in JSON)."""
    found = first_problem()
    if found is None:
        return
    field, problem = found
    message = (_("Remove the NUL character from this field.") if problem == "nul"
               else _("This number is too large."))
    error = UnprocessableEntity(f"{field}: {message}")
    error.data = {"errors": {field: [message]}}
    raise error


def init_app(app):
    app.url_map.converters["int"] = BigIntConverter
    app.before_request(refuse_unreadable_input)
