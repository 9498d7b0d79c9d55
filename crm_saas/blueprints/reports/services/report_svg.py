"""A section's chart as shapes for inline SVG in the print page (WeasyPrint draws SVG, and runs no ECharts).

``svg_chart(section)`` gives what ``reports/print.html`` draws: rectangles,
polylines, pie slices and texts in a ``width`` x ``height`` box, from the
same rows as the table beside it. Series whose kind differs from the first
(a win rate beside amounts) get a scale of their own and are drawn as a
line, as in the workbook's chart. A long table charts its first
``MAX_CATEGORIES`` rows; the table holds them all.
"""
import math
from decimal import Decimal

from flask_babel import gettext as _

from crm_saas.blueprints.reports.services.printable import cell_text

WIDTH, HEIGHT = 680, 230
LEFT, RIGHT, TOP, BOTTOM = 64, 48, 12, 46
MAX_CATEGORIES = {"line": 100, "bar": 24, "funnel": 24, "pie": 12}  # a quarter's days as a line; bars stay wide
LABELS_SHOWN = 16  # category labels under the axis at most: every second, third... beyond
COLOURS = ("#206bc4", "#2fb344", "#f59f00", "#d63939", "#ae3ec9", "#17a2b8", "#74b816", "#f76707")


def svg_chart(section):
    """The shapes of ``section``'s chart, or None when it has no chart or nothing to draw."""
    spec = section.chart
    columns = {column.key: column for column in section.columns}
    if spec is None or spec.category not in columns or not section.rows:
        return None
    series = [columns[key] for key in spec.series if key in columns]
    if not series:
        return None
    limit = MAX_CATEGORIES.get(spec.type, MAX_CATEGORIES["bar"])
    rows = section.rows[:limit]
    labels = [str(row.get(spec.category) or "") for row in rows]
    draw = {"pie": _pie, "funnel": _funnel}.get(spec.type, _axes)
    chart = draw(spec.type, labels, rows, series)
    chart["legend"] = [(str(column.label), COLOURS[i % len(COLOURS)]) for i, column in enumerate(series)] \
        if spec.type != "pie" else chart.get("legend", [])
    if len(section.rows) > limit:
        chart["note"] = _("The chart shows the first %(num)s rows of the table.", num=limit)
    return chart


def _value(row, column):
    value = row.get(column.key)
    return float(value) if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) else 0.0


def _blank(height=HEIGHT):
    return {"width": WIDTH, "height": height, "rects": [], "lines": [], "polylines": [], "paths": [], "texts": []}


def _short(label, size):
    return label if len(label) <= size else label[:size - 1] + "…"


def _axes(kind, labels, rows, series):
    """Bars (``bar``) or lines (``line``) over the categories; other-kind series as a line on a second scale."""
    chart = _blank()
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    base = TOP + plot_h
    primary = [c for c in series if c.kind == series[0].kind]
    secondary = [c for c in series if c.kind != series[0].kind]
    top = nice_top(max([_value(r, c) for r in rows for c in primary] + [0]), primary[0].kind)
    step = plot_w / len(rows)
    for tick in range(5):
        y = base - plot_h * tick / 4
        chart["lines"].append((LEFT, y, LEFT + plot_w, y, "#dce1e7"))
        chart["texts"].append((LEFT - 4, y + 3, cell_text(_tick_kind(primary[0]), top * tick / 4), "end", 8, "#667382",
                               0))
    bars = primary if kind == "bar" else []
    width = step * 0.72 / max(len(bars), 1)
    for index, row in enumerate(rows):
        left = LEFT + step * index + step * 0.14
        for n, column in enumerate(bars):
            h = plot_h * max(_value(row, column), 0) / top
            chart["rects"].append((left + n * width, base - h, max(width - 1, 1), h, COLOURS[series.index(column)]))
    rotate = len(rows) > 8
    every = math.ceil(len(rows) / LABELS_SHOWN)
    for index, label in enumerate(labels):
        if index % every:
            continue
        x = LEFT + step * (index + 0.5)
        chart["texts"].append((x, base + 12, _short(label, 6 if rotate else 10), "end" if rotate else "middle", 8,
                               "#1d273b", -35 if rotate else 0))
    lines = ([] if kind == "bar" else primary) + secondary
    for column in lines:
        scale = top if column in primary else nice_top(max([_value(r, column) for r in rows] + [0]), column.kind)
        points = [(LEFT + step * (i + 0.5), base - plot_h * max(_value(r, column), 0) / scale)
                  for i, r in enumerate(rows)]
        chart["polylines"].append((" ".join(f"{x:.1f},{y:.1f}" for x, y in points), COLOURS[series.index(column)]))
        if column in secondary:
            chart["texts"].append((LEFT + plot_w + 4, TOP + 8, cell_text(_tick_kind(column), scale), "start", 8,
                                   COLOURS[series.index(column)], 0))
    return chart


def nice_top(value, kind="money"):
    """The axis's top: ``value`` rounded up to 1, 2, 2.5, 4, 5 or 8 times a power of ten, so the quarter ticks
    read as round figures (13,345.50 draws on a scale to 20,000); a count's axis goes to 4 at least, in whole
    steps."""
    if kind == "int" and value <= 4:
        return 4.0
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 4, 5, 8, 10) if step * power >= value)


def _tick_kind(column):
    return "int" if column.kind in ("text", "money") else column.kind  # round ticks need no cents


def _funnel(kind, labels, rows, series):
    """One centred bar a stage, as wide as its count: the funnel narrows where deals are lost."""
    column = series[0]
    row_h = 22
    chart = _blank(TOP * 2 + row_h * len(rows))
    top = max([_value(r, column) for r in rows] + [0]) or 1.0
    plot_w, middle = WIDTH - 2 * 140, WIDTH / 2
    for index, (label, row) in enumerate(zip(labels, rows, strict=False)):
        y, w = TOP + row_h * index, max(plot_w * _value(row, column) / top, 1)
        chart["rects"].append((middle - w / 2, y, w, row_h - 4, COLOURS[0]))
        chart["texts"].append((middle - plot_w / 2 - 8, y + 13, _short(label, 12), "end", 9, "#1d273b", 0))
        chart["texts"].append((middle + plot_w / 2 + 8, y + 13, cell_text(column.kind, row.get(column.key)), "start",
                               9, "#1d273b", 0))
    return chart


def _pie(kind, labels, rows, series):
    """Slices of the first series, the legend naming each with its figure."""
    column = series[0]
    values = [max(_value(row, column), 0) for row in rows]
    total = sum(values)
    chart = _blank()
    cx, cy, r = 120, HEIGHT / 2, HEIGHT / 2 - TOP
    angle = -math.pi / 2
    legend = []
    for index, (label, value, row) in enumerate(zip(labels, values, rows, strict=False)):
        colour = COLOURS[index % len(COLOURS)]
        legend.append((f"{label}: {cell_text(column.kind, row.get(column.key))}", colour))
        if not total or not value:
            continue
        sweep = 2 * math.pi * value / total
        if sweep >= 2 * math.pi - 1e-9:
            chart["paths"].append((f"M {cx - r:.1f} {cy:.1f} a {r} {r} 0 1 0 {2 * r} 0 a {r} {r} 0 1 0 {-2 * r} 0",
                                   colour))
        else:
            x1, y1 = cx + r * math.cos(angle), cy + r * math.sin(angle)
            x2, y2 = cx + r * math.cos(angle + sweep), cy + r * math.sin(angle + sweep)
            chart["paths"].append((f"M {cx:.1f} {cy:.1f} L {x1:.1f} {y1:.1f} A {r} {r} 0 {int(sweep > math.pi)} 1 "
                                   f"{x2:.1f} {y2:.1f} Z", colour))
        angle += sweep
    chart["legend"] = legend
    return chart
