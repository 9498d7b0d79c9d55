"""Imports (API.md ``imports``): template, upload, mapping, dry run, commit (202), errors, revert (202).

The same services as the pages: a batch belongs to whoever uploaded it and
follows the hierarchy rule (404 for one the caller may not see); the right
to import (``import_customers``) is asked first (403 without it).
"""
import os
import tempfile

import marshmallow as ma
from flask import request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import fields

from crm_saas.api import api_blueprint
from crm_saas.api.errors import api_abort
from crm_saas.api.paging import PageArgs, page, page_schema
from crm_saas.api.schemas import InputSchema
from crm_saas.blueprints.imports.models import KINDS, POLICIES
from crm_saas.blueprints.imports.services import (
    create_import,
    max_bytes,
    may_import,
    problems,
    set_options,
    start_commit,
    start_revert,
    status_of,
    storage,
    validate_import,
    visible_import,
)
from crm_saas.blueprints.imports.services.template_book import write_template
from crm_saas.core.jobs import QueueUnavailable
from crm_saas.core.views import found_or_404

bp = api_blueprint("api_imports", __name__, "Imports from Excel or CSV: map, dry run, commit, revert.")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_VISIBLE = "No such import, or not one the caller may see."
STATUSES = ["uploaded", "validated", "running", "finished", "failed", "reverted"]


class ImportTotalsSchema(ma.Schema):
    rows = fields.Integer()
    valid = fields.Integer()
    errors = fields.Integer()
    duplicates = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    skipped = fields.Integer()


class ImportSchema(ma.Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": list(KINDS)})
    status = fields.String(metadata={"enum": STATUSES})
    columns = fields.List(fields.String(), metadata={"description": "The file's column headers, as read."})
    mapping = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True),
                          metadata={"description": "Column header -> field (None: not imported)."})
    defaults = fields.Dict(keys=fields.String(), values=fields.Raw(),
                           metadata={"description": "Field -> value used where a cell is empty."})
    duplicate_policy = fields.String(metadata={"enum": list(POLICIES)})
    pool_id = fields.Integer(allow_none=True)
    totals = fields.Nested(ImportTotalsSchema)
    progress = fields.Integer(metadata={"description": "0-100 while a job runs."})
    error = fields.String(allow_none=True, metadata={"description": "Why the last job failed."})
    error_file_url = fields.String(allow_none=True, metadata={
        "description": "The rejected rows, each led by its reason (kept 7 days)."})
    created_at = fields.DateTime()


class ImportUploadSchema(InputSchema):
    kind = fields.String(required=True, metadata={"enum": list(KINDS)})
    file = fields.Raw(load_default=None, metadata={
        "type": "string", "format": "binary", "description": "Required: .xlsx, or .csv in UTF-8 or GBK."})


class ImportOptionsSchema(InputSchema):
    mapping = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True), allow_none=True)
    duplicate_policy = fields.String(metadata={"enum": list(POLICIES)})
    pool_id = fields.Integer(allow_none=True, metadata={"description": "Customers only: they go into this pool."})
    defaults = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), allow_none=True, metadata={
        "description": "Values for empty cells, e.g. {\"source\": \"other\", \"owner\": \"wang\"}."})


class ImportProblemSchema(ma.Schema):
    row = fields.Integer(metadata={"description": "The row number in the file (the header is usually row 1)."})
    field = fields.String(allow_none=True)
    message = fields.String(metadata={"description": "In the importer's language, naming the row and the field."})


ImportProblemPageSchema = page_schema(ImportProblemSchema, "ImportProblemPage")


def _describe(imp):
    return {
        "id": imp.id, "kind": imp.kind, "status": status_of(imp), "columns": imp.columns, "mapping": imp.mapping,
        "defaults": imp.defaults, "duplicate_policy": imp.duplicate_policy, "pool_id": imp.pool_id,
        "totals": {key: (imp.totals or {}).get(key, 0) for key in ImportTotalsSchema._declared_fields},
        "progress": imp.progress, "error": imp.failure, "created_at": imp.created_at,
        "error_file_url": url_for("api_imports.error_file", import_id=imp.id, _external=True)
        if imp.error_file_name else None,
    }


def _allowed():
    if not may_import(current_user):
        api_abort(403, _("Your role may not import records."))


def _batch(import_id):
    _allowed()
    return found_or_404(visible_import(current_user, import_id))


def _queue_unavailable():
    api_abort(503, _("The job queue cannot be reached. Nothing was started; try again in a minute."),
              headers={"Retry-After": "60"})


@bp.url_value_preprocessor
def _upload_limit(endpoint, values):
    if endpoint == "api_imports.upload":
        request.max_content_length = max_bytes() + 64 * 1024


@bp.route("/imports/templates/<kind>", methods=["GET"])
@bp.doc(responses={
    "200": {"description": "The template workbook.", "content": {XLSX: {"schema": {"type": "string",
                                                                                   "format": "binary"}}}},
    "403": {"description": "The caller's role may not import."},
    "404": {"description": "No such kind (customers, contacts, deals, activities)."},
})
def template(kind):
    """An xlsx template from the company's current fields, required ones marked, with the allowed values"""
    _allowed()
    if kind not in KINDS:
        api_abort(404)
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    write_template(path, kind)
    response = send_file(path, mimetype=XLSX, as_attachment=True, download_name=f"import-{kind}.xlsx")
    response.call_on_close(lambda: os.remove(path))
    return response


@bp.route("/imports", methods=["POST"], endpoint="upload")
@bp.arguments(ImportUploadSchema, location="form", content_type="multipart/form-data")
@bp.response(201, ImportSchema)
@bp.alt_response(403, description="The caller's role may not import.")
def upload(data):
    """Upload a file (multipart/form-data: ``file`` and ``kind``); its columns come back matched to fields"""
    _allowed()
    return _describe(create_import(request.files.get("file"), data["kind"], actor=current_user))


@bp.route("/imports/<int:import_id>", methods=["GET"])
@bp.response(200, ImportSchema)
@bp.alt_response(404, description=NOT_VISIBLE)
def get_import(import_id):
    """An import's mapping, status, totals and progress"""
    return _describe(_batch(import_id))


@bp.route("/imports/<int:import_id>", methods=["PATCH"])
@bp.arguments(ImportOptionsSchema)
@bp.response(200, ImportSchema)
@bp.alt_response(404, description=NOT_VISIBLE)
@bp.alt_response(409, description="The import has been committed or is running.")
def change_import(data, import_id):
    """Change the mapping, the duplicate policy (skip, update, create), the target pool or the defaults"""
    imp = _batch(import_id)
    return _describe(set_options(imp, data, actor=current_user))


@bp.route("/imports/<int:import_id>/validate", methods=["POST"])
@bp.response(200, ImportSchema)
@bp.alt_response(404, description=NOT_VISIBLE)
@bp.alt_response(409, description="The import has been committed or is running.")
def validate(import_id):
    """The dry run: every row checked by the rules of the forms; nothing is saved"""
    imp = _batch(import_id)
    return _describe(validate_import(imp, actor=current_user))


@bp.route("/imports/<int:import_id>/commit", methods=["POST"])
@bp.response(202, ImportSchema)
@bp.alt_response(404, description=NOT_VISIBLE)
@bp.alt_response(409, description="No dry run yet, or already committed or running.")
@bp.alt_response(503, description="The job queue cannot be reached; nothing was started.")
def commit(import_id):
    """Commit the checked rows in the background; watch ``progress``"""
    imp = _batch(import_id)
    try:
        start_commit(imp, actor=current_user)
    except QueueUnavailable:
        _queue_unavailable()
    return _describe(imp)


@bp.route("/imports/<int:import_id>/errors", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, ImportProblemPageSchema)
@bp.alt_response(404, description=NOT_VISIBLE)
def errors(args, import_id):
    """The rows refused by the last dry run or commit: row number, field and message"""
    imp = _batch(import_id)
    rows, total = problems(imp, "error", args["page"], args["per_page"])
    return page(rows, total, args)


@bp.route("/imports/<int:import_id>/revert", methods=["POST"])
@bp.response(202, ImportSchema)
@bp.alt_response(404, description=NOT_VISIBLE)
@bp.alt_response(409, description="Not committed, already reverted, running, or committed more than 7 days ago.")
@bp.alt_response(503, description="The job queue cannot be reached; nothing was started.")
def revert(import_id):
    """Revert a committed import (within 7 days): what it created goes to the recycle bin, what it changed is put
    back, what was changed since is reported"""
    imp = _batch(import_id)
    try:
        start_revert(imp, actor=current_user)
    except QueueUnavailable:
        _queue_unavailable()
    return _describe(imp)


@bp.route("/imports/<int:import_id>/error-file", methods=["GET"])
@bp.doc(responses={
    "200": {"description": "The rejected rows, led by the reason.",
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}},
    "404": {"description": "No such import, not one the caller may see, or no rejected rows (kept 7 days)."},
})
def error_file(import_id):
    """The error workbook: the rejected rows as they were, each led by why"""
    imp = _batch(import_id)
    if not imp.error_file_name or not os.path.exists(storage.path_of(imp.error_file_name)):
        api_abort(404)
    return send_file(storage.path_of(imp.error_file_name), mimetype=XLSX, as_attachment=True,
                     download_name=f"import-{imp.id}-errors.xlsx")
