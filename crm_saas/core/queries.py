"""SQL built from what users type: their ``%`` and ``_`` are letters, not wildcards.

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
