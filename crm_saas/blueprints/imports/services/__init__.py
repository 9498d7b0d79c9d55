"""Imports (I1): a batch's life from the uploaded file to committed rows, and back.

upload (``create_import``: the file stored, its headers read, the columns
matched) -> mapping and options (``set_options``, remembered per company and
kind) -> dry run (``validate_import``: every row judged, nothing saved) ->
commit (``start_commit``: a job, crm_saas/workers/imports.py) -> maybe
revert (``start_revert``, within 7 days). The web pages and the API call
these same functions. A batch belongs to whoever uploaded it; the hierarchy
rule applies to it as to any record.
"""
import os

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert

from crm_saas.blueprints.imports.models import IDLE, KINDS, POLICIES, Import, ImportMapping, ImportProblem
from crm_saas.blueprints.imports.services import storage
from crm_saas.blueprints.imports.services.fields import field_map, match_columns
from crm_saas.blueprints.imports.services.reading import UnreadableFile, file_format, open_source
from crm_saas.blueprints.imports.services.revert import RevertError, revert_errors, revert_import
from crm_saas.blueprints.imports.services.running import walk
from crm_saas.blueprints.imports.services.values import People
from crm_saas.blueprints.pools.services import get_pool_for
from crm_saas.core import jobs
from crm_saas.core.audit import record
from crm_saas.core.base import utcnow
from crm_saas.core.errors import Conflict, FieldErrors
from crm_saas.core.i18n import current_language
from crm_saas.core.permissions import can
from crm_saas.core.visibility import visible
from crm_saas.extensions import db

COMMIT_JOB = "crm_saas.workers.imports.run_commit"
REVERT_JOB = "crm_saas.workers.imports.run_revert"
PER_PAGE = 50
API_STATUS = {"uploaded": "uploaded", "validated": "validated", "committed": "finished", "reverted": "reverted"}

__all__ = ["RevertError", "revert_import", "storage"]


class ImportRefused(FieldErrors):
    """A refused upload or option, naming the field (``file``, ``kind``, ``mapping``, ``duplicate_policy`` ...)."""


class ImportBusy(Conflict):
    """The batch is not in a state for this step (running, committed, not dry-run yet): a 409."""


def may_import(user):
    return can(user, "import_customers")


def max_bytes():
    return int(float(current_app.config.get("CRM_MAX_IMPORT_MB", 50)) * 1024 * 1024)


def status_of(imp):
    """The API's status: running while a job is in flight, failed if it failed, else where the batch stands."""
    if imp.status in jobs.IN_FLIGHT:
        return "running"
    if imp.status == "failed":
        return "failed"
    return API_STATUS[imp.stage]


def create_import(upload, kind, *, actor):
    """Store the upload, read its headers and first rows, and match its columns (remembered mapping first)."""
    if kind not in KINDS:
        raise ImportRefused({"kind": [_("Choose what to import: customers, contacts, deals or follow-ups.")]})
    name = (getattr(upload, "filename", None) or "").strip()
    if not name:
        raise ImportRefused({"file": [_("Choose a file to import.")]})
    head = upload.stream.read(8)
    upload.stream.seek(0)
    fmt = file_format(name, head)
    if fmt is None:
        raise ImportRefused({"file": [_("Upload an Excel workbook (.xlsx) or a CSV file.")]})
    imp = Import(kind=kind, original_name=os.path.basename(name)[:255], file_format=fmt, created_by_id=actor.id,
                 status=IDLE, stage="uploaded", columns=[], samples=[], mapping={}, defaults={}, totals={},
                 duplicate_policy="skip", locale=current_language())
    db.session.add(imp)
    db.session.flush()
    imp.file_name = storage.upload_name(imp)
    path = storage.path_of(imp.file_name)
    upload.save(path)
    try:
        if os.path.getsize(path) > max_bytes():
            raise UnreadableFile(_("The file is larger than %(limit)s MB.", limit=max_bytes() // (1024 * 1024)))
        source = open_source(path, fmt, kind)
    except UnreadableFile as refused:
        db.session.rollback()
        storage.remove(os.path.basename(path))
        raise ImportRefused({"file": [str(refused)]}) from refused
    imp.encoding, imp.sheet, imp.header_row, imp.columns = source.encoding, source.sheet, source.header_row, \
        source.columns
    imp.samples = source.first_rows
    remembered = db.session.get(ImportMapping, kind)
    imp.mapping = match_columns(imp.columns, kind, remembered.mapping if remembered else None)
    imp.defaults = dict(remembered.defaults) if remembered else {}
    db.session.commit()
    return imp


def _editable(imp):
    if imp.status in jobs.IN_FLIGHT or imp.committed_at is not None or imp.stage == "reverted":
        raise ImportBusy({"import": [_("This import has been committed or is running: its options are fixed.")]})


def option_errors(imp, data, actor):
    errors = {}
    known = field_map(imp.kind)
    mapping = data.get("mapping")
    if mapping is not None:
        if not isinstance(mapping, dict):
            errors["mapping"] = [_("Send the mapping as an object of column: field.")]
        else:
            used = {}
            for column, field in mapping.items():
                if column not in imp.columns:
                    errors[f"mapping.{column}"] = [_("The file has no such column.")]
                elif field not in (None, "") and field not in known:
                    errors[f"mapping.{column}"] = [_("Choose a field from the list, or none.")]
                elif field:
                    used.setdefault(field, []).append(column)
            for field, columns in used.items():
                columns.sort(key=imp.columns.index)  # the later column in the file is the one refused
                if len(columns) > 1:
                    errors[f"mapping.{columns[1]}"] = [
                        _("%(field)s is already filled by the column %(column)s.", field=known[field].label,
                          column=columns[0])]
    if "duplicate_policy" in data and data["duplicate_policy"] not in POLICIES:
        errors["duplicate_policy"] = [_("Choose skip, update or create.")]
    pool_id = data.get("pool_id")
    if pool_id not in (None, "") and (imp.kind != "customers" or get_pool_for(actor, pool_id) is None):
        errors["pool_id"] = [_("Choose a pool you belong to (customers only).")]
    defaults = data.get("defaults")
    if defaults is not None:
        if not isinstance(defaults, dict):
            errors["defaults"] = [_("Send the defaults as an object of field: value.")]
        else:
            for field, value in defaults.items():
                if field not in known:
                    errors[f"defaults.{field}"] = [_("Choose a field from the list.")]
                elif field == "owner" and value not in (None, "") and People(actor).find(value) is None:
                    errors["defaults.owner"] = [People(actor).message(value)]
    return errors


def set_options(imp, data, *, actor):
    """Change the mapping, the duplicate policy, the target pool or the defaults; a new dry run is then due."""
    _editable(imp)
    errors = option_errors(imp, data, actor)
    if errors:
        raise ImportRefused(errors)
    if data.get("mapping") is not None:
        imp.mapping = {column: data["mapping"].get(column, imp.mapping.get(column)) or None
                       for column in imp.columns}
    if data.get("defaults") is not None:
        imp.defaults = {k: v for k, v in data["defaults"].items() if v not in (None, "")}
    if "duplicate_policy" in data:
        imp.duplicate_policy = data["duplicate_policy"]
    if "pool_id" in data:
        imp.pool_id = data["pool_id"] or None
    imp.stage = "uploaded"
    db.session.execute(
        insert(ImportMapping).values(kind=imp.kind, mapping=imp.mapping, defaults=imp.defaults,
                                     updated_by_id=actor.id, updated_at=utcnow())
        .on_conflict_do_update(index_elements=["kind"], set_={
            "mapping": imp.mapping, "defaults": imp.defaults, "updated_by_id": actor.id, "updated_at": utcnow()}))
    db.session.commit()
    return imp


def validate_import(imp, *, actor):
    """The dry run: every row judged and counted, problems and the error file kept, nothing else saved."""
    _editable(imp)
    if not imp.file_name:
        raise ImportBusy({"file": [_("The uploaded file is kept for 7 days only: upload it again.")]})
    imp.locale = current_language()
    totals = walk(imp, actor)
    imp.totals, imp.stage, imp.validated_at = totals, "validated", utcnow()
    if imp.status == "failed":
        imp.status, imp.error = IDLE, None
    db.session.commit()
    return imp


def start_commit(imp, *, actor):
    """Queue the commit; ``jobs.QueueUnavailable`` with Redis away (nothing started)."""
    if imp.stage != "validated" or imp.status in jobs.IN_FLIGHT or imp.committed_at is not None:
        raise ImportBusy({"import": [_("Run the dry run first: only a checked import can be committed.")]})
    imp.job = "commit"
    return jobs.start(imp, COMMIT_JOB, timeout=current_app.config["CRM_EXPORT_JOB_TIMEOUT"])


def commit_import(imp, actor, progress=None):
    """The commit job's work: every row checked again and written; returns the columns to set on the batch."""
    totals = walk(imp, actor, commit=True, progress=progress)
    record("import_committed", imp, actor=actor, label=imp.original_name, kind=imp.kind, **totals)
    return {"totals": totals, "stage": "committed", "committed_at": utcnow(), "error_file_name": imp.error_file_name}


def start_revert(imp, *, actor):
    errors = revert_errors(imp)
    if errors:
        raise RevertError(errors)
    if imp.status in jobs.IN_FLIGHT:
        raise ImportBusy({"import": [_("This import is running: wait until it has finished.")]})
    imp.job = "revert"
    return jobs.start(imp, REVERT_JOB, timeout=current_app.config["CRM_EXPORT_JOB_TIMEOUT"])


def revert_work(imp, actor, progress=None):
    report = revert_import(imp, actor, progress)
    record("import_reverted", imp, actor=actor, label=imp.original_name, deleted=report["deleted"],
           restored=report["restored"], kept=len(report["kept"]))
    return {"revert_report": report, "stage": "reverted", "reverted_at": utcnow()}


def visible_imports(user):
    return visible(select(Import), Import.created_by_id, user)


def visible_import(user, import_id):
    imp = db.session.scalar(visible_imports(user).where(Import.id == import_id))
    return jobs.reconcile(imp) if imp is not None else None


def history(user, page=1, per_page=PER_PAGE):
    """The batches ``user`` may see, newest first: ``(rows, total)``."""
    stmt = visible_imports(user)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(Import.created_at.desc(), Import.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


def problems(imp, kind="error", page=1, per_page=PER_PAGE):
    """A batch's problems of ``kind`` by row: ``(rows, total)``."""
    stmt = select(ImportProblem).where(ImportProblem.import_id == imp.id, ImportProblem.kind == kind)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(ImportProblem.row, ImportProblem.id)
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


def purge_old_files(now=None):
    """Uploaded files and error workbooks older than 7 days, removed; returns how many batches lost theirs."""
    cutoff = (now or utcnow()) - storage.KEEP
    old = db.session.scalars(select(Import).where(
        Import.created_at < cutoff, or_(Import.file_name.is_not(None), Import.error_file_name.is_not(None)))).all()
    for imp in old:
        storage.remove(imp.file_name)
        storage.remove(imp.error_file_name)
        imp.file_name = imp.error_file_name = None
    db.session.commit()
    return len(old)

