"""The deal and follow-up lists as workbooks: every visible match of the list's filters, streamed like customers.

Each list's page and its export read one statement (the deal list's
``deals_statement``, the follow-up list's ``follow_ups_statement``), so the
workbook holds exactly the rows the list shows, in the list's order. Rows
come through a server-side cursor into xlsxwriter's constant_memory mode:
a 100,000-row export holds one batch in memory, not the list.
"""
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from crm_saas.blueprints.activities.models import Activity
from crm_saas.blueprints.activities.services import TEXT_LABELS, type_label
from crm_saas.blueprints.activities.services import follow_up_list as follow_ups
from crm_saas.blueprints.custom_fields.services import definitions, display_value
from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.pipeline.models import Deal, Stage
from crm_saas.blueprints.pipeline.services.deal_list import SORTS, deals_statement, read_list_args
from crm_saas.blueprints.pipeline.services.defaults import stage_label
from crm_saas.core import spreadsheets
from crm_saas.core.campaign_refs import CAMPAIGNS
from crm_saas.core.users import User
from crm_saas.extensions import db

PROGRESS_EVERY = 2000  # rows between progress reports (written to the row at most once a second)
STREAM = {"stream_results": True, "yield_per": 2000}


class Sheet:
    """One list sheet: a frozen header with an autofilter, sized columns, money/date/time cells."""

    def __init__(self, path, title, headers):
        self.book = spreadsheets.workbook(path)
        self.sheet = self.book.add_worksheet(title)
        self.headers = headers
        self.formats = {
            "money": self.book.add_format({"num_format": "#,##0.00"}),
            "date": self.book.add_format({"num_format": "yyyy-mm-dd"}),
            "time": self.book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
            "wrap": self.book.add_format({"text_wrap": True, "valign": "top"}),
        }
        bold = self.book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1, "text_wrap": True,
                                     "valign": "top"})
        for index, (_header, width, _kind) in enumerate(headers):
            self.sheet.set_column(index, index, width)
        self.sheet.freeze_panes(1, 0)
        self.sheet.write_row(0, 0, [str(header) for header, _width, _kind in headers], bold)
        self.tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])  # times as the company reads them
        self.written = 0

    def row(self, values):
        """Write the next row: ``None`` stays empty, times in company time, money as numbers."""
        self.written += 1
        for col, ((_header, _width, kind), value) in enumerate(zip(self.headers, values, strict=True)):
            if value is None or value == "":
                continue
            if kind == "time":
                self.sheet.write_datetime(self.written, col, value.astimezone(self.tz).replace(tzinfo=None),
                                          self.formats["time"])
            elif kind == "date":
                self.sheet.write_datetime(self.written, col, value, self.formats["date"])
            elif kind in ("money", "number"):
                self.sheet.write_number(self.written, col, float(value), self.formats.get(kind))
            else:
                self.sheet.write_string(self.written, col, str(value), self.formats.get(kind))

    def close(self):
        self.sheet.autofilter(0, 0, max(self.written, 1), len(self.headers) - 1)
        self.book.close()
        return self.written


def _streamed(stmt, total, sheet, progress):
    for row in db.session.execute(stmt, execution_options=STREAM):
        yield row
        if sheet.written % PROGRESS_EVERY == 0:
            progress(sheet.written * 100 // max(total, 1))


def _count(stmt):
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def write_deals(path, user, filters, progress=lambda percent: None):
    """Write the deals ``user`` sees that the deal list's ``filters`` match; returns the number of rows."""
    parsed, q, sort, _page = read_list_args(filters)
    stmt = deals_statement(user, parsed, q)
    total = _count(stmt)
    stages = {stage.id: str(stage_label(stage)) for stage in db.session.scalars(select(Stage))}
    fields = definitions("deal")
    owner = aliased(User)
    rows = (
        stmt.with_only_columns(Deal.name, Customer.name, Deal.stage_id, Deal.amount, Deal.probability,
                               Deal.expected_close, owner.name, CAMPAIGNS.c.name, Deal.lost_reason, Deal.created_at,
                               Deal.updated_at, Deal.custom)
        .join(Customer, Customer.id == Deal.customer_id).join(owner, owner.id == Deal.owner_id)
        .outerjoin(CAMPAIGNS, CAMPAIGNS.c.id == Deal.campaign_id)
        .order_by(*SORTS[sort])
    )
    sheet = Sheet(path, _("Deals"), [
        (_("Deal name"), 30, None), (_("Customer"), 30, None), (_("Stage"), 14, None),
        (_("Expected amount"), 16, "money"), (_("Probability"), 10, "number"), (_("Expected close date"), 14, "date"),
        (_("Owner"), 12, None), (_("Campaign"), 20, None), (_("Lost reason"), 24, "wrap"), (_("Created"), 17, "time"),
        (_("Updated"), 17, "time"), *((d.label, 18, None) for d in fields)])
    for name, customer, stage_id, amount, probability, close, owner_name, campaign, lost, created, updated, custom \
            in _streamed(rows, total, sheet, progress):
        sheet.row((name, customer, stages.get(stage_id), amount, probability, close, owner_name, campaign, lost,
                   created, updated, *(display_value(d, (custom or {}).get(d.key)) for d in fields)))
    return sheet.close()


def write_activities(path, user, filters, progress=lambda percent: None):
    """Write the follow-ups ``user`` sees that the follow-up list's ``filters`` match; returns the number of rows."""
    parsed, _page = follow_ups.read_list_args(filters)
    stmt = follow_ups.follow_ups_statement(user, parsed)
    total = _count(stmt)
    author, deal = aliased(User), aliased(Deal)
    rows = (
        stmt.with_only_columns(Activity.occurred_at, Activity.type, Customer.name, deal.name, Activity.summary,
                               Activity.participants, Activity.feedback, Activity.offer, Activity.next_action,
                               Activity.next_follow_up_at, Activity.duration_minutes, author.name,
                               Activity.created_at)
        .join(author, author.id == Activity.created_by_id).outerjoin(deal, deal.id == Activity.deal_id)
        .order_by(*follow_ups.NEWEST_FIRST)
    )
    sheet = Sheet(path, _("Follow-ups"), [
        (_("When"), 17, "time"), (_("Type"), 10, None), (_("Customer"), 30, None), (_("Deal"), 24, None),
        (TEXT_LABELS["summary"], 44, "wrap"), (TEXT_LABELS["participants"], 18, "wrap"),
        (TEXT_LABELS["feedback"], 30, "wrap"), (TEXT_LABELS["offer"], 30, "wrap"),
        (TEXT_LABELS["next_action"], 24, "wrap"), (_("Next follow-up"), 17, "time"),
        (_("Minutes"), 9, "number"), (_("Written by"), 12, None), (_("Recorded"), 17, "time")])
    for occurred, kind, *rest in _streamed(rows, total, sheet, progress):
        sheet.row((occurred, type_label(kind), *rest))
    return sheet.close()
