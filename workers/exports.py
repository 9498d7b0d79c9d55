"""Export jobs: stream rows through a server-side cursor into xlsxwriter's constant_memory mode."""
import os

import xlsxwriter
from flask_babel import force_locale, gettext as _
from rq import get_current_job
from sqlalchemy import and_, func, select

from workers.context import job_tenant

PROGRESS_EVERY = 2000


def run_export(schema, export_id):
    from crm_saas.blueprints.exports.models import Export
    from crm_saas.blueprints.exports.services import export_dir
    from crm_saas.extensions import db
    from crm_saas.models_base import utcnow

    with job_tenant(schema) as app:
        export = db.session.get(Export, export_id)
        export.status = "started"
        db.session.commit()
        try:
            file_name = f"{export.kind}-{export.id}.xlsx"
            path = os.path.join(export_dir(app, schema), file_name)
            with force_locale(export.created_by.locale or app.config["BABEL_DEFAULT_LOCALE"]):
                rows = write_customers(path, export.created_by, export.filters)
        except Exception as exc:
            db.session.rollback()
            export.status, export.error = "failed", f"{type(exc).__name__}: {exc}"
            db.session.commit()
            raise
        export.status, export.progress, export.rows = "finished", 100, rows
        export.file_name, export.finished_at = file_name, utcnow()
        db.session.commit()
        return rows


def write_customers(path, user, filters):
    """Write the customers ``user`` may see; returns the number of rows written."""
    from crm_saas.blueprints.auth.models import User
    from crm_saas.blueprints.customers import codes
    from crm_saas.blueprints.customers.models import Contact, Customer
    from crm_saas.blueprints.customers.services import filter_customers, search_filter, visible_customers
    from crm_saas.extensions import db

    stmt = filter_customers(search_filter(visible_customers(user), filters.get("q")), filters)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    columns = (
        Customer.number, Customer.name, Customer.type, Customer.industry, Customer.source,
        Contact.name, Contact.phone, User.name, Customer.created_at,
    )
    headers = [_("Number"), _("Customer name"), _("Customer type"), _("Industry"), _("Source"),
               _("Contact name"), _("Contact phone"), _("Owner"), _("Created")]
    rows_stmt = (
        stmt.with_only_columns(*columns)
        .outerjoin(Contact, and_(Contact.customer_id == Customer.id, Contact.is_primary.is_(True)))
        .join(User, User.id == Customer.owner_id)
        .order_by(Customer.id)
    )
    job = get_current_job()
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "remove_timezone": True})
    sheet = workbook.add_worksheet(_("Customers"))
    sheet.write_row(0, 0, headers)
    written = 0
    result = db.session.execute(rows_stmt, execution_options={"stream_results": True, "yield_per": 2000})
    for number, name, ctype, industry, source, c_name, c_phone, owner, created in result:
        written += 1
        sheet.write_row(written, 0, (
            number, name, str(codes.label(codes.CUSTOMER_TYPES, ctype)), str(codes.label(codes.INDUSTRIES, industry)),
            str(codes.label(codes.SOURCES, source)), c_name, c_phone, owner, created.strftime("%Y-%m-%d %H:%M"),
        ))
        if job and written % PROGRESS_EVERY == 0:
            job.meta["progress"] = min(99, written * 100 // max(total, 1))
            job.save_meta()
    workbook.close()
    return written
