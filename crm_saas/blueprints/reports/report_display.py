"""A report's table as the page shows it: cells formatted in the reader's locale, sort links, drill links.

The cells are made here, once, as HTML, rather than in the template: a
report of 2,000 reps is 16,000 cells, and each built in Jinja with a
filter call and a ``url_for`` took longer than the SQL of the whole report. Numbers are
written by Python's own formatting where the locale writes them the common
way ("," and ".", as en and zh_CN do; Babel otherwise, as ``money`` does),
and the link of a cell is the link of its measure with the values put in
(``DrillLinks``), one ``url_for`` per measure and set of arguments.
"""
import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote

from babel import Locale
from flask import url_for
from flask_babel import format_decimal, get_locale
from markupsafe import Markup, escape

from crm_saas.blueprints.reports.services.catalog import sort_rows
from crm_saas.core.templating import money

NUMERIC = ("int", "money", "percent", "days")
PLACES = {"int": 0, "percent": 1, "days": 1}
EMPTY = "–"


@lru_cache(maxsize=16)
def _common(locale_name):
    symbols = Locale.parse(locale_name).number_symbols["latn"]
    return symbols["group"] == "," and symbols["decimal"] == "."


def formatter(locale_name=None):
    """``format(value, kind)``: a figure as the reader writes it ("1,234", "37.5%", "¥1,234.50", "4.5")."""
    locale_name = locale_name or str(get_locale())
    common = _common(locale_name)

    def number(value, places):
        if common:
            return f"{value:,.{places}f}"
        return format_decimal(value, "#,##0." + "0" * places if places else "#,##0", locale=locale_name)

    def format_value(value, kind):
        if value is None:
            return EMPTY
        if kind == "money":
            return money(value, locale_name)
        if kind in PLACES:
            text = number(value, PLACES[kind])
            return text + "%" if kind == "percent" else text
        return str(value)

    return format_value


class DrillLinks:
    """``links((measure, params))``: the URL of the records behind a figure under ``scope``.

    ``url_for`` is asked once per measure and set of argument names, with
    placeholders that come out of it verbatim; each cell puts its own values
    in (quoted as a query value), as ``url_around_id`` does for ids.
    ``html`` gives the same URL escaped for an attribute.
    """

    def __init__(self, scope):
        self.scope = scope
        self.templates = {}
        self.quoted = {}  # a code or a reason, as a query value

    def _template(self, measure, names, escaped):
        """``[text, name, text, ...]``: the URL's text around the places of the arguments' values."""
        key = (measure, names, escaped)
        if key not in self.templates:
            marks = {f"zzdrill{index}zz": name for index, name in enumerate(names)}
            url = url_for("reports.records", measure=measure, **self.scope.args(**{v: k for k, v in marks.items()}))
            pieces = re.split("(" + "|".join(marks) + ")", url) if marks else [url]
            self.templates[key] = [marks[piece] if index % 2 else (escape(piece) if escaped else piece)
                                   for index, piece in enumerate(pieces)]
        return self.templates[key]

    def __call__(self, drill, escaped=False):
        if drill is None:
            return None
        measure, params = drill
        if None in params.values() or "" in params.values():
            params = {key: value for key, value in params.items() if value not in (None, "")}
        pieces = self._template(measure, tuple(sorted(params)) if len(params) > 1 else tuple(params), escaped)
        if len(pieces) == 1:
            return str(pieces[0])
        parts = pieces.copy()
        for index in range(1, len(parts), 2):
            value = params[parts[index]]
            if isinstance(value, int):
                parts[index] = str(value)
            else:
                text = self.quoted.get(value)
                if text is None:
                    text = self.quoted[value] = quote(str(value), safe="")
                parts[index] = text
        return "".join(parts)

    def html(self, drill):
        return self(drill, escaped=True)


@dataclass
class Head:
    key: str
    label: object
    numeric: bool
    sort: str | None = None  # what a click asks for
    aria_sort: str | None = None


@dataclass
class Row:
    html: Markup  # the row's cells
    group: str | None = None  # a heading row goes before the first row of a group


@dataclass
class Table:
    heads: list
    rows: list = field(default_factory=list)
    totals: Markup | None = None
    hidden: int = 0  # rows past the page's share (``SHOWN_ROWS`` a group), in the export and behind "show all"


# The rows a report page shows of each table, in the order asked: an admin's report of 2,000 reps was a 1.4 MB
# page whose cells cost more than its SQL (bench/README.md); the rest is one click away, and in the export.
SHOWN_ROWS = 100


def column_sort(column, sort):
    """``(the sort a click on the head asks for, aria-sort)``: numbers biggest first, text A to Z first."""
    key = column.key
    if sort == key:
        return "-" + key, "ascending"
    if sort == "-" + key:
        return key, "descending"
    return (key if column.kind == "text" else "-" + key), None


def ordered(report, result, sort):
    """``[(original index, row)]`` sorted within each group, the groups in their first order."""
    groups = {}
    for index, row in enumerate(result.rows):
        groups.setdefault(row.get("group"), []).append((index, row))
    found = []
    for members in groups.values():
        position = {id(row): index for index, row in members}
        found += [(position[id(row)], row) for row in sort_rows(report, [row for _index, row in members], sort)]
    return found


def build_table(report, result, scope, sort, shown=SHOWN_ROWS):
    """The table: heads (labels, sort links) and each row's cells as HTML, numbers right-aligned, counts linked;
    the first ``shown`` rows of each group (None: all), the others counted in ``hidden``."""
    format_value, links = formatter(), DrillLinks(scope)
    heads, kinds = [], []
    linked = {key for _index, key in result.drill}
    for column in report.columns:
        next_sort, aria = column_sort(column, sort) if column.sortable else (None, None)
        heads.append(Head(column.key, column.label, column.kind in NUMERIC, next_sort, aria))
        kinds.append((column.key, column.kind, column.kind in NUMERIC, column.key in linked))

    def cells(row, index, tag):
        found = []
        for key, kind, numeric, maybe_linked in kinds:
            value = row.get(key)
            text = format_value(value, kind)
            text = text if numeric else escape(text)
            # A zero has no records behind it: no link to an empty list (and 2,000 rows stay light).
            url = links(result.drill.get((index, key)), True) if maybe_linked and value else None
            body = f'<a href="{url}">{text}</a>' if url else text
            found.append(f'<{tag} class="text-end">{body}</{tag}>' if numeric else f"<{tag}>{body}</{tag}>")
        return Markup("".join(found))

    table = Table(heads)
    last_group, in_group = None, 0
    for index, row in ordered(report, result, sort):
        group = row.get("group")
        in_group = 1 if group != last_group or not table.rows else in_group + 1
        if shown is not None and in_group > shown:
            table.hidden += 1
            continue
        table.rows.append(Row(cells(row, index, "td"), group if group != last_group else None))
        last_group = group
    if result.totals:
        table.totals = cells(result.totals, "total", "th")
    return table
