"""Tabler icons inline in the page: ``{{ icon("users") }}``.

Only the icons the pages use are vendored (``static/vendor/tabler-icons/``,
from the npm package ``@tabler/icons`` 3.54.0), as SVG files read once and
kept: inline SVG takes the text colour, needs no icon font of a few hundred
kilobytes, and is hidden from screen readers (the label beside it speaks).
"""
import re
from functools import cache
from importlib.resources import files

from markupsafe import Markup

_ICONS = files("crm_saas") / "static" / "vendor" / "tabler-icons"


@cache
def icon(name):
    svg = (_ICONS / f"{name}.svg").read_text(encoding="utf-8")
    svg = re.sub(r"\s+", " ", svg).strip()
    svg = svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)
    return Markup(svg)

