"""SQL built from what users type: ``%`` and ``_`` are letters, and a page number stays a page number.

``q=%`` matched every customer when the search wrapped the text in ``%...%``
as it came. Every LIKE built from user input uses ``contains_pattern`` with
``escape=LIKE_ESCAPE`` (or SQLAlchemy's ``autoescape=True``), so a search
finds what was typed.
"""
LIKE_ESCAPE = "\\"


def contains_pattern(text):
    """``%text%`` for ``ILIKE ... ESCAPE '\\'``, with the text's own ``\\``, ``%`` and ``_`` escaped."""
    escaped = text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
    return f"%{escaped}%"


# The last page a list serves: past it OFFSET (page x rows a page) would not fit a BIGINT, and nobody pages there.
MAX_PAGE = 1_000_000


def page_number(value):
    """A page from a query string (or an int): 1 for nonsense, at most ``MAX_PAGE``."""
    if isinstance(value, str):
        value = int(value) if value.strip().isdigit() and len(value.strip()) < 12 else 1
    if not isinstance(value, int) or isinstance(value, bool):
        return 1
    return min(max(value, 1), MAX_PAGE)
