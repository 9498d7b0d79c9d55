"""Export jobs: stream rows through a server-side cursor into xlsxwriter's constant_memory mode."""
import os
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, func, select

from crm_saas.blueprints.custom_fields.services import definitions, display_value
from crm_saas.blueprints.customers.models import Contact, Customer
from crm_saas.blueprints.customers.services import codes
from crm_saas.blueprints.customers.services.privacy import ContactReader
from crm_saas.blueprints.customers.services.search import customers_statement
from crm_saas.blueprints.exports.models import Export
from crm_saas.blueprints.exports.services import export_dir
from crm_saas.core import jobs, spreadsheets
from crm_saas.core.users import User
from crm_saas.extensions import db
from crm_saas.workers.context import job_tenant

PROGRESS_EVERY = 2000  # rows between progress reports (written to the row at most once a second)


def run_export(schema, export_id):
    """The export's job: the row says started, then how far, then finished with its file (or failed, core/jobs.py)."""
    with job_tenant(schema) as app:
        export = db.session.get(Export, export_id)

        def work(tracker):
            file_name = f"{export.kind}-{export.id}.xlsx"
            path = os.path.join(export_dir(app, schema), file_name)
            with force_locale(export.created_by.locale or app.config["BABEL_DEFAULT_LOCALE"]):
                rows = write_customers(path, export.created_by, export.filters, tracker.progress)
            return {"rows": rows, "file_name": file_name}

        return jobs.running(export, work)["rows"]


def write_customers(path, user, filters, progress=lambda percent: None):
    """Write the customers ``user`` may see and the filters match; returns the number of rows written.

    The main contact's phone and email are masked as on the pages (C12), and
    every custom field gets a column, labelled as the company named it.
    """
    stmt = customers_statement(user, filters.get("q"), filters)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    fields = definitions("customer")
    reader = ContactReader(user)
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])  # times as the company reads them
    columns = (
        Customer.number, Customer.name, Customer.type, Customer.industry, Customer.source, Customer.category,
        Customer.province, Customer.city, Customer.district, Customer.address, Customer.tags,
        Contact.name, Contact.phone, Contact.email, User.name, Customer.created_at, Customer.owner_id, Customer.custom,
    )
    labels = codes.FIELD_LABELS
    headers = [str(h) for h in (
        _("Number"), labels["name"], labels["type"], labels["industry"], labels["source"], labels["category"],
        labels["province"], labels["city"], labels["district"], labels["address"], labels["tags"],
        _("Contact name"), _("Contact phone"), _("Contact email"), _("Owner"), _("Created"),
        *(d.label for d in fields))]
    rows_stmt = (
        stmt.with_only_columns(*columns)
        .outerjoin(Contact, and_(Contact.customer_id == Customer.id, Contact.is_primary.is_(True)))
        .join(User, User.id == Customer.owner_id)
        .order_by(Customer.id)
    )
    book = spreadsheets.workbook(path)
    sheet = book.add_worksheet(_("Customers"))
    sheet.write_row(0, 0, headers)
    written = 0
    result = db.session.execute(rows_stmt, execution_options={"stream_results": True, "yield_per": 2000})
    for (number, name, ctype, industry, source, category, province, city, district, address, tags,
         c_name, c_phone, c_email, owner, created, owner_id, custom) in result:
        written += 1
        c_phone, c_email = reader.phone(owner_id, c_phone), reader.email(owner_id, c_email)
        sheet.write_row(written, 0, (
            number, name, str(codes.label(codes.CUSTOMER_TYPES, ctype)), str(codes.label(codes.INDUSTRIES, industry)),
            str(codes.label(codes.SOURCES, source)), category, province, city, district, address,
            ", ".join(tags or ()), c_name, c_phone, c_email, owner, created.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            *(display_value(d, (custom or {}).get(d.key)) for d in fields),
        ))
        if written % PROGRESS_EVERY == 0:
            progress(written * 100 // max(total, 1))
    book.close()
    return written
