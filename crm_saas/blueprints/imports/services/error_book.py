"""The error workbook: the rejected rows as they were in the file, each led by why (the 错误原因 column).

Fix the rows in it and import it again: its headers are the file's own, so
the same mapping reads it. Written a row at a time (constant memory).
"""
import os
from datetime import date, datetime

from flask_babel import gettext as _

from crm_saas.core import spreadsheets


class ErrorBook:
    def __init__(self, path, columns):
        self.path, self.columns = path, columns
        self.book = self.sheet = None
        self.written = 0

    def _open(self):
        self.book = spreadsheets.workbook(self.path)
        self.sheet = self.book.add_worksheet(_("Rejected rows"))
        bold = self.book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
        self.reason_format = self.book.add_format({"font_color": "#B42318", "text_wrap": True, "valign": "top"})
        self.when = self.book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.day = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.sheet.set_column(0, 0, 48)
        self.sheet.set_column(1, len(self.columns), 16)
        self.sheet.freeze_panes(1, 1)
        self.sheet.write_row(0, 0, [_("Error reason"), *self.columns], bold)

    def add(self, reasons, cells):
        if self.book is None:
            self._open()
        self.written += 1
        self.sheet.write_string(self.written, 0, "\n".join(reasons), self.reason_format)
        for index, cell in enumerate(cells, start=1):
            if isinstance(cell, datetime):
                self.sheet.write_datetime(self.written, index, cell.replace(tzinfo=None), self.when)
            elif isinstance(cell, date):
                self.sheet.write_datetime(self.written, index, datetime.combine(cell, datetime.min.time()), self.day)
            elif cell is not None and cell != "":
                self.sheet.write(self.written, index, cell if isinstance(cell, (int, float, bool)) else str(cell))

    def close(self):
        """True when a workbook was written; with no rejected row, no file (and none left from before)."""
        if self.book is not None:
            self.book.close()
            return True
        if os.path.exists(self.path):
            os.remove(self.path)
        return False
