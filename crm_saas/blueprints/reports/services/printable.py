"""What an export of a report or of the dashboard holds, whatever its format: a title, the filters in words, and
sections, each a table (columns, rows, totals) and maybe a chart of it.

The workbook (report_book.py) and the PDF (report_pdf.py) both read a
``Printable``, so the two files of one report show the same figures under
the same words. A report is one section; the dashboard is its cards, its
targets and one section per chart.
"""
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from crm_saas.blueprints.reports.services.catalog import Chart, Column
from crm_saas.core.staff import picked_person

DASHBOARD = "dashboard"
DASHBOARD_TITLE = _l("Dashboard")
CHART_TYPES = ("bar", "line", "funnel", "pie")


@dataclass
class Section:
    title: str | None
    columns: list  # catalog.Column
    rows: list  # dicts keyed by column key; "_kinds" may give a cell its own kind (a card's money or count)
    totals: dict = field(default_factory=dict)
    chart: Chart | None = None


@dataclass
class Printable:
    title: str
    filters: str
    sections: list
    notes: list = field(default_factory=list)

    @property
    def rows(self):
        """The rows of every table: what the export says it holds."""
        return sum(len(section.rows) for section in self.sections)


def of_report(report, scope, result):
    """A report's ``Result`` as one titled table with its chart, then a table per group of extra rows (the
    funnel's lost reasons), which the chart leaves out: as categories they would be empty bars."""
    main = [row for row in result.rows if not row.get("group")]
    groups = {}
    for row in result.rows:
        if row.get("group"):
            groups.setdefault(str(row["group"]), []).append(row)
    sections = [Section(None, list(report.columns), main, result.totals, report.chart)]
    sections += [Section(name, list(report.columns), rows, {}, None) for name, rows in groups.items()]
    return Printable(title=str(report.title), filters=filters_line(scope), notes=[str(n) for n in result.notes],
                     sections=sections)


def of_dashboard(dashboard):
    """The dashboard's cards (this period, the previous one, the change), its targets, then each of its charts."""
    cards = Section(_("Figures"), [
        Column("label", _l("Figure"), "text"), Column("value", _l("This period")),
        Column("previous", _l("Previous period")), Column("change", _l("Change"), "percent")],
        [{"label": str(card.label), "value": card.value, "previous": card.previous, "change": card.change,
          "_kinds": {"value": card.kind, "previous": card.kind}} for card in dashboard.cards])
    sections = [cards]
    if dashboard.targets:
        sections.append(Section(_("Targets"), [
            Column("label", _l("Target"), "text"), Column("target", _l("Goal")), Column("actual", _l("Reached")),
            Column("percent", _l("Progress"), "percent")],
            [{**{key: row.get(key) for key in ("target", "actual", "percent")}, "label": str(row["label"]),
              "_kinds": dict.fromkeys(("target", "actual"), "money" if row["metric"] == "won_amount" else "int")}
             for row in dashboard.targets]))
    sections += [chart_section(chart) for chart in dashboard.charts.values()]
    return Printable(title=str(DASHBOARD_TITLE), filters=filters_line(dashboard.scope), sections=sections)


def chart_section(chart):
    """A dashboard chart (``{"title", "type", "categories", "series": [{"name", "data"}]}``) as a table of its
    data: one row per category, one column per series."""
    series = chart.get("series") or []
    keys = [f"s{index}" for index in range(len(series))]
    columns = [Column("category", "", "text")] + [  # the section's title says what the categories are
        Column(key, str(one.get("name") or ""), _kind_of(one.get("data") or ()))
        for key, one in zip(keys, series, strict=True)]
    rows = []
    for index, category in enumerate(chart.get("categories") or []):
        row = {"category": str(category)}
        for key, one in zip(keys, series, strict=True):
            data = one.get("data") or ()
            row[key] = data[index] if index < len(data) else None
        rows.append(row)
    kind = chart.get("type") if chart.get("type") in CHART_TYPES else "bar"
    return Section(str(chart.get("title") or ""), columns, rows, chart=Chart(kind, "category", tuple(keys)))


def _kind_of(values):
    """Money if any value has cents or is a Decimal (amounts), else a count."""
    return "money" if any(isinstance(v, Decimal) or (isinstance(v, float) and not v.is_integer()) for v in values) \
        else "int"


def kind_of(row, column):
    return (row.get("_kinds") or {}).get(column.key, column.kind)


def filters_line(scope):
    """The scope in words: the period, then the owner or team and the region when filtered."""
    parts = [_("Period: %(first)s – %(last)s", first=scope.first.isoformat(), last=scope.last.isoformat())
             if scope.last != scope.first else _("Period: %(day)s", day=scope.first.isoformat())]
    owner = picked_person(scope.user, "visible", scope.owner_id) if scope.owner_id else None
    if owner is not None:
        parts.append(_("Owner: %(name)s", name=owner.name))
    team = picked_person(scope.user, "visible", scope.team_id) if scope.team_id else None
    if team is not None:
        parts.append(_("Team: %(name)s's team", name=team.name))
    region = " ".join(part for part in (scope.province, scope.city) if part)
    if region:
        parts.append(_("Region: %(region)s", region=region))
    return " · ".join(parts)


def cell_text(kind, value):
    """A figure as the page shows it: money with thousands and cents, a rate with %, days with one decimal."""
    if value is None:
        return ""
    if kind == "money":
        return f"{Decimal(value):,.2f}"
    if kind == "percent":
        return f"{Decimal(value):.1f}%"
    if kind == "days":
        return f"{Decimal(value):.1f}"
    if kind == "int" and isinstance(value, (int, Decimal, float)):
        return f"{value:,.0f}" if isinstance(value, (Decimal, float)) else f"{value:,}"
    return str(value)
