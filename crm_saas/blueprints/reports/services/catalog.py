"""The report centre's catalogue: what each report is, its columns, its chart, and how it is built.

One description serves the page (table and ECharts chart), the API
(``GET /api/v1/reports/<key>``), the xlsx export (table and native Excel
chart) and the PDF (the print page): none of them knows a report by name.

A report's ``build(scope)`` returns a ``Result``: rows as dicts keyed by
column (money as ``Decimal``, rates as ``Decimal`` percentages, days as
``Decimal``), totals keyed the same way, and per cell the list behind it
(``Result.drill[(row index, column key)] = (measure, params)``, opened by
``drill.py``). ``registry.py`` gathers every report and measure.
"""
from dataclasses import dataclass, field

KINDS = ("text", "int", "money", "percent", "days")


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # a lazy string: the user's language at render time
    kind: str = "int"
    sortable: bool = True


@dataclass(frozen=True)
class Chart:
    """What the chart draws: one category column and one or more value series (column keys)."""

    type: str  # bar, line, funnel, pie
    category: str
    series: tuple


@dataclass(frozen=True)
class Measure:
    """The records behind a figure: ``statement(scope, **params)`` selects the ``entity``'s rows (a select of the
    entity, from ``base``). A figure's link names a measure, the scope's arguments and ``params``."""

    entity: str  # customers, deals, activities, tasks
    title: object  # a lazy string, formatted with the params' labels by drill.py
    statement: object
    params: tuple = ()  # the names of extra query arguments it reads (stage_id, source, type, ...)


@dataclass
class Result:
    rows: list
    totals: dict = field(default_factory=dict)
    drill: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)  # lazy strings shown above the table ("no data yet", ...)
    refreshed_at: object = None  # the time of the last refresh, for a report read from a rollup


@dataclass(frozen=True)
class Report:
    key: str  # the URL's name: /reports/<key>, /api/v1/reports/<key>
    title: object
    description: object
    columns: tuple
    chart: Chart
    build: object  # build(scope) -> Result
    default_sort: str | None = None  # a column key; "-key" for descending
    extras: tuple = ()  # the report's own filters (services/extras.Extra), read into ``scope.extra``

    def column(self, key):
        return next((c for c in self.columns if c.key == key), None)


def sort_rows(report, rows, sort):
    """Rows in ``sort`` order (``key`` or ``-key``, a sortable column), else the report's own order; None last."""
    sort = sort or report.default_sort
    if not sort:
        return rows
    key, descending = sort.lstrip("-"), sort.startswith("-")
    column = report.column(key)
    if column is None or not column.sortable:
        return rows
    present = [r for r in rows if r.get(key) is not None]
    missing = [r for r in rows if r.get(key) is None]
    present.sort(key=lambda r: r[key], reverse=descending)
    return present + missing
