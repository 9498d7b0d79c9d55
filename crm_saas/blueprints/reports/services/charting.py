"""A report's chart as data: its ``Chart`` spec applied to a ``Result``, in the dashboard's chart shape.

``{"title", "type", "categories", "series": [{"name", "data", "kind"}], "links"}``, as
``dashboard_charts`` makes them, so one script (static/js/charts.js) draws
both, and ``links[i]`` (query arguments of ``reports.records``, the measure
included) opens the records behind category ``i``: those of the first
series' cell in that row. Pure (no statement, no request): the page, the
PDF and the xlsx export may all build it.

A row without a category, or without a value in any series (the funnel's
lost reasons, say), is not drawn: it belongs to the table only. A bar or
pie chart draws its rows largest first (by its first series), and of many
rows (2,000 reps) the ``MOST`` largest: past that nobody reads the bars,
the table has them all.
"""
from decimal import Decimal

MOST = 20
RANKED = ("bar", "pie")  # charts whose order is the figures' own (a funnel and a trend keep the rows' order)


def plain(value):
    """A figure as JSON-ready data: money and rates as numbers (a chart's scale), None as null."""
    return float(value) if isinstance(value, Decimal) else value


def drawn_rows(report, result, most=MOST):
    """``[(row index, row)]`` of the rows the chart draws."""
    spec = report.chart
    rows = [(index, row) for index, row in enumerate(result.rows)
            if row.get(spec.category) not in (None, "") and any(row.get(key) is not None for key in spec.series)]
    if spec.type in RANKED and spec.series:
        first = spec.series[0]
        rows = sorted(rows, key=lambda item: -(item[1].get(first) or 0))[:most or None]
    return rows


def chart_data(report, result, scope=None, most=MOST):
    """The chart dict of ``report`` over ``result``; with ``scope``, each link carries the scope's arguments too.
    ``most``: the most bars or slices drawn (None: every row)."""
    spec = report.chart
    rows = drawn_rows(report, result, most)
    series = []
    for key in spec.series:
        column = report.column(key)
        series.append({"name": str(column.label) if column else key,
                       "data": [plain(row.get(key)) for _index, row in rows],
                       "kind": "money" if column and column.kind == "money" else "int"})
    return {
        "title": str(report.title), "type": spec.type,
        "categories": [str(row[spec.category]) for _index, row in rows],
        "series": series,
        "links": [_link(result.drill.get((index, spec.series[0])), scope) if spec.series else None
                  for index, _row in rows],
    }


def _link(drill, scope):
    if drill is None:
        return None
    measure, params = drill
    args = scope.args(**params) if scope is not None else {key: value for key, value in params.items()}
    return {"measure": measure, **args}
