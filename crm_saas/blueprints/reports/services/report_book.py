"""A report or the dashboard as an Excel workbook: the title, the filters in words, each table, and beside it a
native Excel chart of it (xlsxwriter's chart API), whose series point at the table's cells.

A chart made of the cells stays true when someone edits a figure or sorts
the sheet, and Excel or WPS draws it in the reader's own style, which a
picture pasted in would not. Figures are numbers with number formats
(money with cents, rates with one decimal and a % sign, as the page shows
them), never text: the sheet can be summed. The table comes from a
``printable.Printable``, as the PDF's does.
"""
import re

from flask_babel import gettext as _

from crm_saas.blueprints.reports.services.printable import kind_of
from crm_saas.core import spreadsheets

# The report catalogue's chart types as Excel's: a funnel reads as horizontal bars, widest first.
EXCEL_CHARTS = {"bar": "column", "line": "line", "funnel": "bar", "pie": "pie"}
NUMBER_FORMATS = {"money": "#,##0.00", "percent": '0.0"%"', "days": "0.0", "int": "#,##0"}
SIZED_ROWS = 200  # the rows column widths are measured on (a long table's widths are its first rows')
CHART_ROWS = 16  # rows a chart covers (its default 288 px height at 20 px a row, with a margin)
CHART_SIZE = {"width": 560, "height": 300}
_SHEET_NAME_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def write_book(path, printable):
    """Write ``printable`` to ``path`` as a one-sheet workbook; returns how many table rows it holds."""
    book = spreadsheets.workbook(path)
    sheet = book.add_worksheet(_sheet_name(printable.title))
    styles = _Styles(book)
    sheet.write_string(0, 0, printable.title, styles.title)
    sheet.write_string(1, 0, printable.filters, styles.muted)
    row = 2
    for note in printable.notes:
        sheet.write_string(row, 0, note, styles.muted)
        row += 1
    widest = {}
    for section in printable.sections:
        row = _section(book, sheet, styles, section, row + 1, widest)
    for col, width in widest.items():
        sheet.set_column(col, col, min(max(width, 10), 40))
    book.close()
    return printable.rows


def _section(book, sheet, styles, section, row, widest):
    """Write one table (heading, header, rows, totals) from ``row``, its chart to the right; returns the next row."""
    if section.title:
        sheet.write_string(row, 0, section.title, styles.heading)
        row += 1
    header = row
    for col, column in enumerate(section.columns):
        sheet.write_string(header, col, str(column.label), styles.header)
        widest[col] = max(widest.get(col, 0), _width(str(column.label)))
    for index, values in enumerate(section.rows, start=1):
        _cells(sheet, styles, header + index, section.columns, values, widest if index <= SIZED_ROWS else None)
    last = header + len(section.rows)
    if section.totals:
        totals = {**section.totals}
        first = section.columns[0]
        if first.kind == "text" and totals.get(first.key) is None:
            totals[first.key] = _("Total")
        _cells(sheet, styles, last + 1, section.columns, totals, widest, bold=True)
    end = last + (1 if section.totals else 0)
    if section.chart is not None and section.rows:
        chart = _chart(book, sheet.name, section, header, last)
        if chart is not None:
            sheet.insert_chart(header, len(section.columns) + 1, chart, {"x_offset": 10})
            end = max(end, header + CHART_ROWS)
    return end + 1


def _cells(sheet, styles, row, columns, values, widest, bold=False):
    """One row of the table; ``widest`` (column -> characters) grows with what it holds, when given."""
    for col, column in enumerate(columns):
        value = values.get(column.key)
        if value is None:
            continue
        kind = kind_of(values, column)
        text = kind == "text" or isinstance(value, str)
        if text:
            sheet.write_string(row, col, str(value), styles.text(bold))
        else:
            sheet.write_number(row, col, float(value), styles.number(kind, bold))
        if widest is not None:
            size = _width(str(value)) if text else len(f"{float(value):,.2f}") + 1
            widest[col] = max(widest.get(col, 0), size)


def _chart(book, sheet_name, section, header, last):
    """The section's chart over its own cells: categories from the category column, one series a value column."""
    columns = [column.key for column in section.columns]
    spec = section.chart
    if spec.category not in columns:
        return None
    series = [key for key in spec.series if key in columns]
    if spec.type == "pie":
        series = series[:1]  # a pie shows one series
    if not series:
        return None
    chart = book.add_chart({"type": EXCEL_CHARTS.get(spec.type, "column")})
    category = columns.index(spec.category)
    first_kind = section.columns[columns.index(series[0])].kind
    for key in series:
        col = columns.index(key)
        options = {"name": [sheet_name, header, col], "categories": [sheet_name, header + 1, category, last, category],
                   "values": [sheet_name, header + 1, col, last, col]}
        if spec.type != "pie" and section.columns[col].kind != first_kind:
            options["y2_axis"] = True  # a rate beside amounts gets a scale of its own
        chart.add_series(options)
    if spec.type == "funnel":
        chart.set_y_axis({"reverse": True})  # a bar chart's categories run up the y axis: the first stage on top
        chart.set_legend({"none": len(series) == 1})
    elif spec.type == "pie":
        chart.set_legend({"position": "right"})
    else:
        chart.set_legend({"position": "bottom"})
    chart.set_title({"none": True})
    chart.set_size(CHART_SIZE)
    return chart


def _width(text):
    """Columns wide enough for their text: a Chinese character takes two."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text) + 2


def _sheet_name(title):
    return (_SHEET_NAME_UNSAFE.sub(" ", title).strip() or "Report")[:31]


class _Styles:
    """The workbook's formats, made once each (Excel keeps a list of them; one per cell would bloat the file)."""

    def __init__(self, book):
        self.book = book
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.muted = book.add_format({"font_color": "#667382"})
        self.heading = book.add_format({"bold": True, "font_size": 12})
        self.header = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1, "text_wrap": True,
                                       "valign": "top"})
        self._made = {}

    def text(self, bold):
        return self._format(("text", bold), {"bold": bold})

    def number(self, kind, bold):
        return self._format((kind, bold), {"bold": bold, "num_format": NUMBER_FORMATS.get(kind, "General")})

    def _format(self, key, properties):
        if key not in self._made:
            self._made[key] = self.book.add_format(properties)
        return self._made[key]
