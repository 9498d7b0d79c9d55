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

from crm_saas.blueprints.exports.models import ADMIN_ONLY_KINDS, EXPORT_KINDS, Export
from crm_saas.core import jobs
from crm_saas.core.visibility import visible
from crm_saas.extensions import db

JOB = "crm_saas.workers.exports.run_export"
KIND_LABELS = {"customers": _l("Customers"), "all": _l("All company data")}
FULL_EXPORT_TIMEOUT = 4 * 3600  # seconds: every table and file of a large company
_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def download_name(export, company):
    """What the file is saved as: the company, the kind and the day, e.g. "星河科技-客户-2026-12-06.xlsx"."""
    day = export.created_at.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date().isoformat()
    kind = str(KIND_LABELS.get(export.kind, export.kind))
    return _UNSAFE_IN_NAMES.sub("_", f"{company}-{kind}-{day}").strip(" .") + file_suffix(export)


def file_suffix(export):
    """The full export is a zip (a workbook, CSVs and the attached files); every other kind one workbook."""
    return ".zip" if export.kind == "all" else ".xlsx"


def may_start(user, kind):
    """The full export is for admins alone: it holds every record and file, whoever sees what."""
    return kind not in ADMIN_ONLY_KINDS or user.role == "admin"


def export_dir(app, schema):
    """One directory per tenant schema, under the instance folder unless CRM_EXPORT_DIR says where."""
    root = app.config["CRM_EXPORT_DIR"] or os.path.join(app.instance_path, "exports")
    path = os.path.join(root, schema)
    os.makedirs(path, exist_ok=True)
    return path


def start_export(kind, filters, *, actor):
    """Record the request and queue its job (ids only: the worker loads what it needs).

    Raises ``jobs.QueueUnavailable`` with Redis down, leaving no row.
    """
    if kind not in EXPORT_KINDS or not may_start(actor, kind):
        raise ValueError(kind)
    export = Export(kind=kind, filters=filters or {}, created_by_id=actor.id)
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
    if export is not None and not may_start(user, export.kind):  # a see-all role never reaches the full export
        return None
    return jobs.reconcile(export) if export is not None else None
