"""A report or the dashboard as a PDF: the print page (templates/reports/print.html) rendered by WeasyPrint.

Chinese must read on a fresh machine that has no CJK font (a server, CI):
the page names only the fonts vendored with the app, Noto Sans SC
(static/vendor/noto-sans-sc, OFL), its Latin and simplified-Chinese halves
at 400 and 700, through ``@font-face`` rules with file URLs. WeasyPrint
embeds just the glyphs used (subsetting is on: a report is a few KB).

The vendored files are WOFF2, which WeasyPrint unpacks with fontTools in
pure Python (five seconds for the two Chinese weights, on every PDF): each
is unpacked once to an OpenType file beside the instance (``fonts/``) and
read from there; a missing or older one is made again. WeasyPrint runs no
JavaScript, so the chart is drawn here as inline SVG from the same rows
(report_svg.py).
"""
import os
import tempfile
from importlib.resources import as_file, files
from pathlib import Path

from flask import current_app, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from fontTools.ttLib import TTFont
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from crm_saas.blueprints.reports.services.printable import cell_text, kind_of
from crm_saas.blueprints.reports.services.report_svg import svg_chart

FONT_VERSION = "5.2.9"
# Latin first: its digits and letters are drawn from it, the rest from the simplified-Chinese half.
FONT_FAMILIES = (("Noto Sans SC Latin", "latin"), ("Noto Sans SC", "chinese-simplified"))
WEIGHTS = (400, 700)
NUMERIC = ("int", "money", "percent", "days")


def write_pdf(path, printable):
    """Write ``printable`` to ``path`` as an A4 PDF; returns how many table rows it holds."""
    html = render_template("reports/print.html", doc=printable, lang=str(get_locale() or "zh_CN").replace("_", "-"),
                           sections=[_table(section) for section in printable.sections])
    fonts = FontConfiguration()
    faces, folder = font_faces()
    fetcher = FontsOnly(folder)
    HTML(string=html, url_fetcher=fetcher).write_pdf(
        path, stylesheets=[CSS(string=faces, font_config=fonts, url_fetcher=fetcher)], font_config=fonts)
    return printable.rows


def _table(section):
    """A section's cells as the page prints them (text, and whether it is a figure, right-aligned)."""
    def cells(values):
        return [(cell_text(kind_of(values, column), values.get(column.key)), kind_of(values, column) in NUMERIC)
                for column in section.columns]

    totals = None
    if section.totals:
        totals = cells(section.totals)
        if section.columns[0].kind == "text" and section.totals.get(section.columns[0].key) is None:
            totals[0] = (_("Total"), False)
    return {"title": section.title, "chart": svg_chart(section),
            "header": [(str(column.label), column.kind in NUMERIC) for column in section.columns],
            "rows": [cells(values) for values in section.rows], "totals": totals}


def font_faces():
    """``(css, folder)``: the ``@font-face`` rules naming the unpacked fonts, and the folder they are in."""
    folder = Path(current_app.instance_path) / "fonts"
    rules = []
    for family, subset in FONT_FAMILIES:
        for weight in WEIGHTS:
            rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
                         f'src: url("{unpacked(folder, subset, weight).as_uri()}"); }}')
    return "\n".join(rules), folder


def unpacked(folder, subset, weight):
    """The OpenType file of one vendored WOFF2 face, unpacked on first use (atomically: workers may race)."""
    name = f"noto-sans-sc-{FONT_VERSION}-{subset}-{weight}"
    target = folder / f"{name}.otf"
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with as_file(files("crm_saas") / "static" / "vendor" / "noto-sans-sc" / f"{name}.woff2") as source:
        font = TTFont(source)
        font.flavor = None
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
        os.close(handle)
        try:
            font.save(temporary)
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)
    return target


class FontsOnly(URLFetcher):
    """The print page fetches nothing but the fonts: a name or note that looks like a URL loads nothing."""

    def __init__(self, folder):
        super().__init__(allowed_protocols=("file",))
        self.prefix = Path(folder).resolve().as_uri() + "/"

    def fetch(self, url, headers=None):
        if not url.startswith(self.prefix) or ".." in url:
            raise ValueError(f"not fetched: {url[:80]}")
        return super().fetch(url, headers)
