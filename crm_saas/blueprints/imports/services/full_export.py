"""The full company export (I3): everything the company holds, in one zip an admin downloads.

The zip holds ``data.xlsx`` and the attached files (``files/<customer|deal>/<id>/<file id>-<name>``):

- first the sheets an import reads (``SHEET_NAMES`` and ``headers`` of the
  import fields, in the exporter's language): customers with their main
  contact, their other contacts, deals and follow-ups, linked by the
  customer's number (in the Customer ID column) and the deal's id, custom
  fields as columns, campaigns by name. Importing the workbook into an empty
  company (customers, then contacts, then deals, then follow-ups; its
  campaigns made first, since a campaign is named, never created, by an
  import) reproduces them: that is its round trip test;
- then every table of the company as it is stored (``table_<name>``), each
  custom field also as a column of its own beside the stored JSON; a table
  longer than ``SHEET_ROWS_MAX`` goes beside the workbook as
  ``tables/<name>.csv`` (UTF-8), which the "About" sheet lists;
- never the secrets: password hashes, session keys, API tokens, reset
  links and the SMTP password are left out.

Everything streams (server-side cursors into xlsxwriter's constant_memory
mode, CSV and files straight into the zip), so memory stays flat however
large the company; contacts are written in full, as an admin reads them.
"""
import csv
import io
import json
import os
import re
import tempfile
import zipfile
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from crm_saas.blueprints.activities.models import Activity
from crm_saas.blueprints.activities.services import TYPES
from crm_saas.blueprints.custom_fields.services import definitions
from crm_saas.blueprints.customers.models import Contact, Customer
from crm_saas.blueprints.customers.services import codes
from crm_saas.blueprints.files.models import Attachment
from crm_saas.blueprints.files.services.storage import files_dir
from crm_saas.blueprints.imports.services.fields import SHEET_NAMES, headers
from crm_saas.blueprints.pipeline.models import Deal, Stage
from crm_saas.blueprints.pipeline.services.defaults import STAGE_LABELS
from crm_saas.core import spreadsheets
from crm_saas.core.base import tenant_tables
from crm_saas.core.campaign_refs import CAMPAIGNS
from crm_saas.core.settings import SECRETS
from crm_saas.core.users import User
from crm_saas.extensions import db

SHEET_ROWS_MAX = 100_000  # rows past which a table goes to the zip as CSV rather than as a sheet
LEFT_OUT_TABLES = {"api_tokens", "login_sessions", "password_resets"}  # credentials, not company data
LEFT_OUT_COLUMNS = {"users": {"password_hash", "session_token"}}
CUSTOM_HOLDERS = {"customers": "customer", "deals": "deal"}
STREAM = {"stream_results": True, "yield_per": 2000}
PROGRESS_EVERY = 2000
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


class Progress:
    """Counts what is written against the total and reports whole percents (the job writes them to the row)."""

    def __init__(self, total, report):
        self.total, self.done, self.report = max(total, 1), 0, report

    def step(self):
        self.done += 1
        if self.done % PROGRESS_EVERY == 0:
            self.report(min(99, self.done * 100 // self.total))


def write_full_export(path, progress=lambda percent: None):
    """Write the company's zip to ``path`` inside the bound tenant; returns how many rows it holds."""
    tables = [t for t in tenant_tables() if t.name not in LEFT_OUT_TABLES]
    counts = {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in tables}
    sheets = ImportSheets()
    files = db.session.scalar(select(func.count()).select_from(Attachment))
    tracker = Progress(sum(counts.values()) + sheets.count() + files, progress)
    with tempfile.TemporaryDirectory() as scratch, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        book_path = os.path.join(scratch, "data.xlsx")
        book = spreadsheets.workbook(book_path)
        formats = {"bold": book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1}),
                   "when": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
                   "day": book.add_format({"num_format": "yyyy-mm-dd"})}
        about = book.add_worksheet(_("About"))
        written = sheets.write(book, formats, tracker)
        places = []
        for table in tables:
            if counts[table.name] > SHEET_ROWS_MAX:
                write_csv(archive, table, tracker)
                places.append((table.name, counts[table.name], f"tables/{table.name}.csv"))
            else:
                write_table_sheet(book, formats, table, tracker)
                places.append((table.name, counts[table.name], f"table_{table.name}"))
            written += counts[table.name]
        copied = copy_files(archive, tracker)
        write_about(about, formats, places, copied)
        book.close()
        archive.write(book_path, "data.xlsx")
    progress(100)
    return written


def write_about(sheet, formats, places, copied):
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 2, 18)
    sheet.write_row(0, 0, [_("What"), _("Rows"), _("Where")], formats["bold"])
    row = 1
    for name in SHEET_NAMES.values():
        sheet.write_row(row, 0, [_("Import sheet: %(kind)s", kind=name), "", str(name)])
        row += 1
    for table, count, where in places:
        sheet.write_row(row, 0, [table, count, where])
        row += 1
    sheet.write_row(row, 0, [_("Attached files"), copied, "files/"])


def _local(moment, tz):
    return moment.astimezone(tz).replace(tzinfo=None) if moment else None


def _custom_cell(definition, value):
    """A custom value as the import reads it back: numbers as numbers, choices joined, yes/no, dates as text."""
    if value is None or value == [] or value == "":
        return None
    if definition.type == "multichoice" and isinstance(value, list):
        return ", ".join(map(str, value))
    if definition.type == "bool":
        return "yes" if value else "no"
    return value


NO_CONTACT = SimpleNamespace(name=None, title=None, phone=None, email=None, wechat=None, role=None)


class ImportSheets:
    """The four sheets an import reads, rows streamed from the customers in use (the bin stays out)."""

    def __init__(self):
        self.tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
        self.customer_fields = definitions("customer")
        self.deal_fields = definitions("deal")
        self.campaigns = None

    def campaign(self, campaign_id):
        """A campaign by name, as the import reads it back (every campaign's name, read once)."""
        if campaign_id is None:
            return None
        if self.campaigns is None:
            self.campaigns = dict(db.session.execute(select(CAMPAIGNS.c.id, CAMPAIGNS.c.name)).all())
        return self.campaigns.get(campaign_id)

    @staticmethod
    def _in_use():
        return select(Customer.id).where(Customer.deleted_at.is_(None))

    def count(self):
        live = self._in_use().scalar_subquery()
        return sum(db.session.scalar(select(func.count()).select_from(model).where(*where)) for model, where in (
            (Customer, (Customer.deleted_at.is_(None),)),
            (Contact, (Contact.is_primary.is_(False), Contact.customer_id.in_(live))),
            (Deal, (Deal.deleted_at.is_(None), Deal.customer_id.in_(live))),
            (Activity, (Activity.customer_id.in_(live),)),
        ))

    def write(self, book, formats, tracker):
        written = 0
        for kind, rows in (("customers", self.customers), ("contacts", self.contacts), ("deals", self.deals),
                           ("activities", self.activities)):
            sheet = book.add_worksheet(str(SHEET_NAMES[kind]))
            titles = headers(kind)
            sheet.write_row(0, 0, titles, formats["bold"])
            sheet.freeze_panes(1, 0)
            sheet.set_column(0, len(titles) - 1, 16)
            for number, cells in enumerate(rows(), start=1):
                for column, cell in enumerate(cells):
                    _write_cell(sheet, number, column, cell, formats)
                tracker.step()
                written += 1
        return written

    def customers(self):
        owner = aliased(User)
        stmt = (
            select(Customer, Contact, owner.username)
            .outerjoin(Contact, and_(Contact.customer_id == Customer.id, Contact.is_primary.is_(True)))
            .outerjoin(owner, owner.id == Customer.owner_id)
            .where(Customer.deleted_at.is_(None)).order_by(Customer.id)
        )
        for customer, contact, username in db.session.execute(stmt, execution_options=STREAM):
            contact = contact or NO_CONTACT
            yield [
                customer.number, customer.name, str(codes.label(codes.INDUSTRIES, customer.industry)),
                customer.industry_note, str(codes.label(codes.CUSTOMER_TYPES, customer.type)),
                str(codes.label(codes.SOURCES, customer.source)), self.campaign(customer.campaign_id),
                customer.category, customer.size,
                customer.province, customer.city, customer.district, customer.address,
                ", ".join(customer.tags or ()) or None, customer.remarks, customer.needs, customer.goals,
                customer.past_dealings, username, contact.name, contact.title, contact.phone, contact.email,
                contact.wechat, str(codes.label(codes.CONTACT_ROLES, contact.role)) if contact.role else None,
                _local(customer.created_at, self.tz),
                *(_custom_cell(d, (customer.custom or {}).get(d.key)) for d in self.customer_fields),
            ]

    def contacts(self):
        """Every contact but the main one (the customers sheet has it), in full, in the order they were added."""
        stmt = (
            select(Contact, Customer.number).join(Customer, Customer.id == Contact.customer_id)
            .where(Customer.deleted_at.is_(None), Contact.is_primary.is_(False)).order_by(Contact.id)
        )
        no = _("No")
        for contact, number in db.session.execute(stmt, execution_options=STREAM):
            yield [
                number, contact.name, contact.title, contact.phone, contact.email, contact.wechat,
                str(codes.label(codes.CONTACT_ROLES, contact.role)) if contact.role else None, no,
            ]

    def deals(self):
        owner = aliased(User)
        stmt = (
            select(Deal, Customer.number, Stage.code, Stage.name, owner.username)
            .join(Customer, Customer.id == Deal.customer_id).join(Stage, Stage.id == Deal.stage_id)
            .outerjoin(owner, owner.id == Deal.owner_id)
            .where(Deal.deleted_at.is_(None), Customer.deleted_at.is_(None)).order_by(Deal.id)
        )
        for deal, number, stage_code, stage_name, username in db.session.execute(stmt, execution_options=STREAM):
            yield [
                number, str(deal.id), deal.name, str(STAGE_LABELS.get(stage_code, stage_name)),
                float(deal.amount) if deal.amount is not None else None, deal.expected_close,
                str(deal.probability) if deal.probability is not None else None,  # a whole number, as typed
                username, self.campaign(deal.campaign_id), deal.key_actions,
                *(_custom_cell(d, (deal.custom or {}).get(d.key)) for d in self.deal_fields),
            ]

    def activities(self):
        stmt = (
            select(Activity, Customer.number).join(Customer, Customer.id == Activity.customer_id)
            .where(Customer.deleted_at.is_(None)).order_by(Activity.id)
        )
        for activity, number in db.session.execute(stmt, execution_options=STREAM):
            yield [
                number, str(activity.deal_id) if activity.deal_id else None,
                str(TYPES.get(activity.type, activity.type)), _local(activity.occurred_at, self.tz),
                activity.summary, activity.feedback, activity.offer, activity.next_action,
                _local(activity.next_follow_up_at, self.tz), activity.participants, activity.duration_minutes,
            ]


def _write_cell(sheet, row, column, cell, formats):
    if cell is None or cell == "":
        return
    if isinstance(cell, datetime):
        sheet.write_datetime(row, column, cell, formats["when"])
    elif isinstance(cell, date):
        sheet.write_datetime(row, column, datetime.combine(cell, datetime.min.time()), formats["day"])
    else:
        sheet.write(row, column, cell)


def _stored(value):
    """A stored value as a plain cell: JSON as JSON text, times as ISO text, money exact."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value) if abs(value) < 10 ** 15 else str(value)
    return value


def _table_rows(table):
    """``(headers, rows)`` of a stored table: secrets left out, custom fields also one column each."""
    columns = [c for c in table.columns if c.name not in LEFT_OUT_COLUMNS.get(table.name, ())]
    custom = definitions(CUSTOM_HOLDERS[table.name]) if table.name in CUSTOM_HOLDERS else []
    titles = [c.name for c in columns] + [f"custom.{d.key} ({d.label})" for d in custom]
    names = [c.name for c in columns]
    key_of, value_of = (names.index("key"), names.index("value")) if table.name == "settings" else (None, None)

    def rows():
        order = list(table.primary_key.columns)
        result = db.session.execute(select(*columns).order_by(*order), execution_options=STREAM)
        for stored in result:
            values = list(stored)
            if key_of is not None and values[key_of] in SECRETS and isinstance(values[value_of], dict):
                values[value_of] = {k: ("" if k in SECRETS[values[key_of]] else v)
                                    for k, v in values[value_of].items()}
            extra = []
            if custom:
                held = stored._mapping.get("custom") or {}
                extra = [_custom_cell(d, held.get(d.key)) for d in custom]
            yield [_stored(v) for v in values] + extra

    return titles, rows


def write_table_sheet(book, formats, table, tracker):
    titles, rows = _table_rows(table)
    sheet = book.add_worksheet(f"table_{table.name}"[:31])
    sheet.write_row(0, 0, titles, formats["bold"])
    sheet.freeze_panes(1, 0)
    for number, cells in enumerate(rows(), start=1):
        for column, cell in enumerate(cells):
            if cell is not None and cell != "":
                sheet.write(number, column, cell)
        tracker.step()


def write_csv(archive, table, tracker):
    """A large table straight into the zip as UTF-8 CSV (with the BOM Excel looks for), formula-safe."""
    titles, rows = _table_rows(table)
    with archive.open(f"tables/{table.name}.csv", "w", force_zip64=True) as raw, \
            io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        writer = csv.writer(text)
        writer.writerow(titles)
        for cells in rows():
            writer.writerow([spreadsheets.csv_cell(cell) for cell in cells])
            tracker.step()


def copy_files(archive, tracker):
    """Every attached file into ``files/``, under its user's name; returns how many were there to copy."""
    folder = files_dir()
    copied = 0
    stmt = select(Attachment.id, Attachment.entity, Attachment.entity_id, Attachment.file_name,
                  Attachment.stored_name).order_by(Attachment.id)
    for file_id, entity, entity_id, name, stored in db.session.execute(stmt, execution_options=STREAM).all():
        source = os.path.join(folder, stored)
        if os.path.isfile(source):
            safe = _UNSAFE.sub("_", name).strip(" .") or "file"
            archive.write(source, f"files/{entity}/{entity_id}/{file_id}-{safe}")
            copied += 1
        tracker.step()
    return copied
