"""Export requests: queue the job, retry a failed one, read how far it got, find its file.

The row is the truth (core/jobs.py): a reader gets its status and
progress, after a check that its job can still finish.
"""
import os
import re
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm_saas.blueprints.exports.models import ADMIN_ONLY_KINDS, EXPORT_KINDS, FORMATS, Export
from crm_saas.core import jobs
from crm_saas.core.permissions import can
from crm_saas.core.visibility import visible
from crm_saas.extensions import db

JOB = "crm_saas.workers.exports.run_export"
KIND_LABELS = {"customers": _l("Customers"), "deals": _l("Deals"), "activities": _l("Follow-ups"),
               "report": _l("Report"), "all": _l("All company data")}
LIST_KINDS = ("customers", "deals", "activities")  # lists of records: the ``export`` right (permission matrix)
MODULE_OF = {"customers": "customers", "deals": "deals", "activities": "customers"}
SUFFIXES = {"xlsx": ".xlsx", "pdf": ".pdf"}
MIMETYPES = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".pdf": "application/pdf",
             ".zip": "application/zip"}
# The reports feature stands above this one and names its reports itself: when its blueprint is registered it
# puts ``title(key) -> str`` here (reports/export_routes.py), read in the downloader's language.
REPORT_TITLES = "crm_report_titles"
QUEUE_DOWN = _l("Exports are unavailable for a moment: the job queue cannot be reached. Nothing was started; "
               "try again in a minute.")
FULL_EXPORT_TIMEOUT = 4 * 3600  # seconds: every table and file of a large company
_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def download_name(export, company):
    """What the file is saved as: the company, the kind (a report: its title) and the day, e.g.
    "星河科技-客户-2026-12-06.xlsx" or "星河科技-销售业绩-2026-12-06.pdf"."""
    day = export.created_at.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date().isoformat()
    kind = report_title(export.report) if export.kind == "report" else None
    kind = kind or str(KIND_LABELS.get(export.kind, export.kind))
    return _UNSAFE_IN_NAMES.sub("_", f"{company}-{kind}-{day}").strip(" .") + file_suffix(export)


def report_title(key):
    """The title of report ``key`` (or the dashboard's) in the reader's language; None if nobody names it."""
    titles = current_app.extensions.get(REPORT_TITLES)
    return titles(key) if titles and key else None


def file_suffix(export):
    """The full export is a zip (a workbook, CSVs and the attached files); a report may be a PDF; else a workbook."""
    return ".zip" if export.kind == "all" else SUFFIXES.get(export.format or "xlsx", ".xlsx")


def mimetype(export):
    return MIMETYPES[file_suffix(export)]


def may_start(user, kind):
    """Who may ask for an export of ``kind``.

    The full export is for admins alone: it holds every record and file,
    whoever sees what. A list of records needs the ``export`` right. A report
    (or the dashboard) is for any staff member: its figures are already
    narrowed to what they see, and they read the same on the page. Each
    needs the module its records live in too (a 客服 role with ``export`` but
    no customers exports no customer list).
    """
    if kind in ADMIN_ONLY_KINDS:
        return user.role == "admin"
    if kind in LIST_KINDS:
        return can(user, "export") and can(user, MODULE_OF[kind])
    return kind in EXPORT_KINDS and can(user, "reports")


def export_dir(app, schema):
    """One directory per tenant schema, under the instance folder unless CRM_EXPORT_DIR says where."""
    root = app.config["CRM_EXPORT_DIR"] or os.path.join(app.instance_path, "exports")
    path = os.path.join(root, schema)
    os.makedirs(path, exist_ok=True)
    return path


def start_export(kind, filters, *, actor, format="xlsx", report=None):
    """Record the request and queue its job (ids only: the worker loads what it needs).

    ``format`` is xlsx, or pdf for a report; ``report`` names the report
    (a key of the report centre, or "dashboard") for kind report. The
    caller checked both against what exists (the reports feature knows its
    keys); a refused kind, right or format raises ``ValueError``. Raises
    ``jobs.QueueUnavailable`` with Redis down, leaving no row.
    """
    if kind not in EXPORT_KINDS or not may_start(actor, kind):
        raise ValueError(kind)
    if format not in FORMATS or (format == "pdf" and kind != "report") or (kind == "report") != bool(report):
        raise ValueError(format)
    export = Export(kind=kind, format=format, report=report, filters=filters or {}, created_by_id=actor.id)
    return jobs.start(export, JOB, timeout=_timeout(kind))


def _timeout(kind):
    configured = current_app.config["CRM_EXPORT_JOB_TIMEOUT"]
    return max(configured, FULL_EXPORT_TIMEOUT) if kind == "all" else configured


def retry_export(export):
    """Queue a failed export again with the same filters; False for one that has not failed."""
    return jobs.retry(export, JOB, timeout=_timeout(export.kind))


def visible_export(user, export_id):
    """Exports belong to whoever asked for them; the hierarchy rule applies as to any record."""
    export = db.session.scalar(visible(select(Export), Export.created_by_id, user).where(Export.id == export_id))
    if export is not None and export.kind in ADMIN_ONLY_KINDS and user.role != "admin":  # nor a see-all role
        return None
    return jobs.reconcile(export) if export is not None else None
