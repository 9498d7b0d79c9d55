"""Reading an uploaded file a row at a time: xlsx through python-calamine, csv as a stream.

Neither reader holds the file as Python rows: calamine hands one row at a
time out of its own (Rust) reading of the sheet, and a csv is decoded and
split as it is read. Chinese Excel saves csv in GBK (GB18030 is its
superset), others save UTF-8 with or without a BOM: the encoding is found by
reading the file through a strict UTF-8 decoder once, falling back to
GB18030 at the first byte UTF-8 refuses.
"""
import codecs
import csv
import os
from datetime import date, datetime, time

from flask_babel import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from crm_saas.blueprints.imports.services.fields import fold, sheet_names

XLSX_MAGIC = b"PK\x03\x04"
SAMPLE_ROWS = 3
_CHUNK = 1 << 16


class UnreadableFile(ValueError):
    """The upload is not an xlsx or csv file we can read; the message says why."""


def file_format(name, head):
    """``xlsx`` or ``csv`` from the file's first bytes and name, else None."""
    if head.startswith(XLSX_MAGIC):
        return "xlsx" if name.lower().endswith((".xlsx", ".xlsm")) or not name.lower().endswith(".csv") else None
    return "csv" if name.lower().endswith((".csv", ".txt")) else None


def csv_encoding(path):
    """``utf-8-sig`` (a BOM), ``utf-8``, or ``gb18030`` for what UTF-8 cannot decode (GBK is inside GB18030)."""
    with open(path, "rb") as handle:
        head = handle.read(3)
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


class Source:
    """One uploaded file: ``columns`` (its headers, made unique) and ``rows()``, ``(row number, cells)`` pairs.

    Row numbers are the spreadsheet's own (the header is usually row 1), so
    an error's "row 12" is the row a person finds in Excel.
    """

    def __init__(self, path, fmt, kind, encoding=None, sheet=None):
        self.path, self.format, self.kind = path, fmt, kind
        self.encoding = encoding or (csv_encoding(path) if fmt == "csv" else None)
        self.sheet = sheet
        self.header_row, self.columns = None, []

    def _raw_rows(self):
        """``(row number, cells)`` for every row of the file, blank ones included."""
        if self.format == "csv":
            yield from self._csv_rows()
        else:
            yield from self._xlsx_rows()

    def _csv_rows(self):
        with open(self.path, encoding=self.encoding, newline="") as handle:
            sample = handle.read(4096)
            handle.seek(0)
            try:
                dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
            except csv.Error:
                dialect = csv.excel
            for number, cells in enumerate(csv.reader(handle, dialect), start=1):
                yield number, cells

    def _xlsx_rows(self):
        try:
            with CalamineWorkbook.from_path(self.path) as book:
                self.sheet = self.sheet or pick_sheet(book.sheet_names, self.kind)
                sheet = book.get_sheet_by_name(self.sheet)
                first = (sheet.start or (0, 0))[0] + 1
                for offset, cells in enumerate(sheet.iter_rows()):
                    yield first + offset, cells
        except CalamineError as exc:
            raise UnreadableFile(_("The file could not be read as an Excel workbook (.xlsx).")) from exc

    def open(self):
        """Read the header row (the first that is not blank) and the first rows below it; returns self.

        One pass that stops there: ``columns`` and ``first_rows`` (as text, for the mapping page).
        """
        self.first_rows = []
        for number, cells in self._raw_rows():
            if all(blank(cell) for cell in cells):
                continue
            if not self.columns:
                self.header_row, self.columns = number, unique_columns(cells)
                continue
            self.first_rows.append([as_text(cell) for cell in cells[:len(self.columns)]])
            if len(self.first_rows) == SAMPLE_ROWS:
                break
        if not self.columns:
            raise UnreadableFile(_("The file has no header row: the first row must name the columns."))
        return self

    def rows(self):
        """``(row number, cells)`` of each data row, cells padded to the columns; blank rows are skipped."""
        width = len(self.columns)
        for number, cells in self._raw_rows():
            if number <= self.header_row or all(blank(cell) for cell in cells):
                continue
            cells = list(cells[:width])
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
            yield number, cells

def open_source(path, fmt, kind, encoding=None, sheet=None):
    try:
        return Source(path, fmt, kind, encoding, sheet).open()
    except (UnicodeDecodeError, csv.Error) as exc:
        raise UnreadableFile(_("The file could not be read as text: save it as CSV (UTF-8) or Excel.")) from exc


def pick_sheet(names, kind):
    """The sheet named for ``kind`` (in either language, or as seed 002 names it), else the first."""
    wanted = sheet_names(kind)
    folded = {fold(name): name for name in names}
    return next((folded[name] for name in wanted if name in folded), names[0] if names else None)


def unique_columns(cells):
    """Headers as text; a blank one named by its column letter, a repeated one numbered."""
    columns, seen = [], {}
    for index, cell in enumerate(cells):
        name = as_text(cell) or _("Column %(letter)s", letter=column_letter(index))
        seen[name] = seen.get(name, 0) + 1
        columns.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return columns


def column_letter(index):
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def blank(cell):
    return cell is None or (isinstance(cell, str) and not cell.strip())


def as_text(cell):
    """A cell as text: whole numbers without ".0" (a phone typed as a number), dates as ISO."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ", timespec="minutes") if cell.time() != time() else cell.date().isoformat()
    if isinstance(cell, (date, time)):
        return cell.isoformat()
    return str(cell).strip()


def file_size(path):
    return os.path.getsize(path)
