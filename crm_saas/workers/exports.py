"""Export jobs: each kind's writer (lists stream rows through a server-side cursor into xlsxwriter's
constant_memory mode), run under the job's row (core/jobs.py)."""
import os
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased

from crm_saas.blueprints.custom_fields.services import definitions, display_value
from crm_saas.blueprints.customers.models import Contact, Customer
from crm_saas.blueprints.customers.services import codes
from crm_saas.blueprints.customers.services.privacy import ContactReader
from crm_saas.blueprints.customers.services.search import customers_statement
from crm_saas.blueprints.exports.models import Export
from crm_saas.blueprints.exports.services import export_dir, file_suffix
from crm_saas.blueprints.imports.services.full_export import write_full_export
from crm_saas.core import jobs, spreadsheets
from crm_saas.core.campaign_refs import CAMPAIGNS
from crm_saas.core.users import User
from crm_saas.extensions import db
from crm_saas.workers.context import job_tenant
from crm_saas.workers.list_exports import write_activities, write_deals
from crm_saas.workers.report_exports import write_report

PROGRESS_EVERY = 2000  # rows between progress reports (written to the row at most once a second)


def run_export(schema, export_id):
    """The export's job: the row says started, then how far, then finished with its file (or failed, core/jobs.py)."""
    with job_tenant(schema) as app:
        export = db.session.get(Export, export_id)

        def work(tracker):
            file_name = f"{export.kind}-{export.id}{file_suffix(export)}"
            path = os.path.join(export_dir(app, schema), file_name)
            with force_locale(export.created_by.locale or app.config["BABEL_DEFAULT_LOCALE"]):
                if export.kind == "all":  # the full company export (I3): a zip of every table and file
                    rows = write_full_export(path, tracker.progress)
                elif export.kind == "report":  # a report or the dashboard, as xlsx or PDF
                    rows = write_report(path, export, tracker.progress)
                else:
                    rows = LIST_WRITERS[export.kind](path, export.created_by, export.filters, tracker.progress)
            return {"rows": rows, "file_name": file_name}

        return jobs.running(export, work)["rows"]


def write_customers(path, user, filters, progress=lambda percent: None):
    """Write the customers ``user`` may see and the filters match; returns the number of rows written.

    A sheet to work in: a frozen header row with an autofilter, columns sized
    for their content, labels rather than codes, creation times as real date
    cells (in the company's zone), the main contact in columns of its own and
    every other contact in one more. Phones and emails are masked as on the
    pages (C12), and every custom field gets a column, labelled as the company
    named it.
    """
    stmt = customers_statement(user, filters.get("q"), filters)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    fields = definitions("customer")
    reader = ContactReader(user)
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])  # times as the company reads them
    others = aliased(Contact)
    other_contacts = (
        select(func.json_agg(aggregate_order_by(func.json_build_array(others.name, others.phone, others.email),
                                                others.id)))
        .where(others.customer_id == Customer.id, others.is_primary.is_(False))
        .scalar_subquery()
    )
    columns = (
        Customer.number, Customer.name, Customer.type, Customer.industry, Customer.source, Customer.category,
        Customer.size, Customer.province, Customer.city, Customer.district, Customer.address, Customer.tags,
        Contact.name, Contact.phone, Contact.email, other_contacts, User.name, Customer.created_at, Customer.owner_id,
        Customer.custom, CAMPAIGNS.c.name,
    )
    labels = codes.FIELD_LABELS
    headers = [(str(h), width) for h, width in (
        (_("Number"), 14), (labels["name"], 32), (labels["type"], 14), (labels["industry"], 16),
        (labels["source"], 16), (labels["category"], 14), (labels["size"], 14), (labels["province"], 12),
        (labels["city"], 12), (labels["district"], 12), (labels["address"], 32), (labels["tags"], 20),
        (_("Contact name"), 14), (_("Contact phone"), 16), (_("Contact email"), 26), (_("Other contacts"), 44),
        (_("Owner"), 12), (_("Created"), 17), (labels["campaign_id"], 20), *((d.label, 18) for d in fields))]
    rows_stmt = (
        stmt.with_only_columns(*columns)
        .outerjoin(Contact, and_(Contact.customer_id == Customer.id, Contact.is_primary.is_(True)))
        .join(User, User.id == Customer.owner_id)
        .outerjoin(CAMPAIGNS, CAMPAIGNS.c.id == Customer.campaign_id)
        .order_by(Customer.id)
    )
    book = spreadsheets.workbook(path)
    sheet = book.add_worksheet(_("Customers"))
    bold = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1, "text_wrap": True, "valign": "top"})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    for index, (_header, width) in enumerate(headers):
        sheet.set_column(index, index, width, wrap if index == OTHER_CONTACTS else None)
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, [header for header, _width in headers], bold)
    written = 0
    result = db.session.execute(rows_stmt, execution_options={"stream_results": True, "yield_per": 2000})
    for (number, name, ctype, industry, source, category, size, province, city, district, address, tags,
         c_name, c_phone, c_email, more, owner, created, owner_id, custom, campaign) in result:
        written += 1
        c_phone, c_email = reader.phone(owner_id, c_phone), reader.email(owner_id, c_email)
        extra = "\n".join(" ".join(part for part in (o_name, reader.phone(owner_id, o_phone),
                                                       reader.email(owner_id, o_email)) if part)
                           for o_name, o_phone, o_email in (more or ()))
        sheet.write_row(written, 0, (
            number, name, str(codes.label(codes.CUSTOMER_TYPES, ctype)), str(codes.label(codes.INDUSTRIES, industry)),
            str(codes.label(codes.SOURCES, source)), category, str(codes.label(codes.SIZES, size)) if size else None,
            province, city, district, address, ", ".join(tags or ()), c_name, c_phone, c_email, extra, owner,
        ))
        sheet.write_datetime(written, CREATED, created.astimezone(tz).replace(tzinfo=None), when)
        sheet.write_row(written, CREATED + 1,
                        [campaign, *(display_value(d, (custom or {}).get(d.key)) for d in fields)])
        if written % PROGRESS_EVERY == 0:
            progress(written * 100 // max(total, 1))
    sheet.autofilter(0, 0, max(written, 1), len(headers) - 1)
    book.close()
    return written


OTHER_CONTACTS, CREATED = 15, 17  # column indexes in ``write_customers`` (the campaign's is CREATED + 1)
# The lists of records: the customers here, deals and follow-ups in list_exports.py.
LIST_WRITERS = {"customers": write_customers, "deals": write_deals, "activities": write_activities}
