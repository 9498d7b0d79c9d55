"""Exports: ask for one (202), watch it, download the file, all by bearer token.

The download lives here rather than on the web route so it is admitted the
API's way (token, never cookie) and answers the API's errors.
"""
import os

import marshmallow as ma
from flask import current_app, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import fields

from crm_saas.api import api_blueprint, export_filters
from crm_saas.api.errors import api_abort, flatten
from crm_saas.api.export_filters import CustomerFiltersSchema  # noqa: F401  (bulk's selection takes these too)
from crm_saas.api.schemas import InputSchema
from crm_saas.blueprints.exports.models import ADMIN_ONLY_KINDS, EXPORT_KINDS, FORMATS
from crm_saas.blueprints.exports.services import (
    MIMETYPES,
    download_name,
    export_dir,
    may_start,
    mimetype,
    retry_export,
    start_export,
    visible_export,
)
from crm_saas.blueprints.reports.services.printable import DASHBOARD
from crm_saas.blueprints.reports.services.registry import get_report
from crm_saas.core.errors import FieldErrors
from crm_saas.core.jobs import QueueUnavailable
from crm_saas.core.views import found_or_404
from crm_saas.extensions import api
from crm_saas.tenants.resolve import current_tenant

bp = api_blueprint("api_exports", __name__, "Exports to Excel, made in the background.")

XLSX, PDF, ZIP = MIMETYPES[".xlsx"], MIMETYPES[".pdf"], MIMETYPES[".zip"]


class ExportRequestSchema(InputSchema):
    kind = fields.String(required=True, metadata={"enum": list(EXPORT_KINDS)})
    format = fields.String(load_default="xlsx", metadata={"enum": list(FORMATS),
                                                          "description": "pdf for a report only."})
    report = fields.String(metadata={"description": "Kind report: a report's key (GET /reports/<key>), or dashboard."})
    filters = fields.Dict(keys=fields.String(), load_default=dict, metadata={
        "description": export_filters.DESCRIPTION,
        "oneOf": [{"$ref": f"#/components/schemas/{name}"} for name in export_filters.COMPONENTS]})


def _document_filters(state):
    """Each kind's filters as a schema of the document (the request names them), once per app."""
    for name, schema in export_filters.COMPONENTS.items():
        if name not in api.spec.components.schemas:
            api.spec.components.schema(name, schema=schema)


bp.record_once(_document_filters)


class ExportSchema(ma.Schema):
    id = fields.Integer()
    kind = fields.String()
    format = fields.String(metadata={"enum": list(FORMATS)})
    report = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": ["queued", "started", "finished", "failed"]})
    progress = fields.Integer(metadata={"description": "0-100"})
    error = fields.String(allow_none=True, metadata={"description": "Why it failed, in the caller's language."})
    download_url = fields.String(allow_none=True, metadata={"description": "Set once the export has finished."})


def describe(export):
    done = export.status == "finished" and export.file_name
    return {
        "id": export.id, "kind": export.kind, "format": export.format, "report": export.report,
        "status": export.status, "progress": export.progress,
        "error": export.failure,
        "download_url": url_for("api_exports.download", export_id=export.id, _external=True) if done else None,
    }


def queue_unavailable():
    api_abort(503, _("The job queue cannot be reached. Nothing was started; try again in a minute."),
              headers={"Retry-After": "60"})


@bp.route("/exports", methods=["POST"])
@bp.arguments(ExportRequestSchema)
@bp.response(202, ExportSchema)
@bp.alt_response(403, description="The caller's role may not export lists of records (permission matrix); kind all "
                                  "(every table and file, as a zip) is for administrators only. A report is for "
                                  "everyone: its figures are what the caller sees.")
@bp.alt_response(503, description="The job queue cannot be reached; nothing was started.")
def create_export(data):
    """Queue an export: a list of the records the caller sees, a report or the dashboard (xlsx or PDF), or the
    whole company (kind all, admins only)"""
    kind = data["kind"]
    if kind not in EXPORT_KINDS:
        api_abort(422, errors={"kind": [_("Choose a value from the list.")]})
    if not may_start(current_user, kind):
        api_abort(403, _("Only administrators may export all of the company's data.") if kind in ADMIN_ONLY_KINDS
                  else _("Your role may not export records."))
    report, errors = None, {}
    if data["format"] not in FORMATS or (data["format"] == "pdf" and kind != "report"):
        errors["format"] = [_("Choose xlsx, or pdf for a report.")]
    if kind == "report":
        report = data.get("report")
        if not report:
            errors["report"] = [_("Name the report to export.")]
        elif report != DASHBOARD and get_report(report) is None:
            errors["report"] = [_("Choose a report from the list.")]
    elif data.get("report"):
        errors["report"] = [_("Only an export of kind report names a report.")]
    try:
        filters = export_filters.load_filters(kind, data["filters"], current_user, get_report(report or ""))
    except FieldErrors as err:
        errors.update(flatten(err.errors))
    if errors:
        api_abort(422, errors=errors)
    try:
        return describe(start_export(kind, filters, actor=current_user, format=data["format"], report=report))
    except QueueUnavailable:
        queue_unavailable()


@bp.route("/exports/<int:export_id>/retry", methods=["POST"])
@bp.response(202, ExportSchema)
@bp.alt_response(403, description="The caller's role may not export records of this kind (permission matrix).")
@bp.alt_response(404, description="No such export, or not one the caller may see.")
@bp.alt_response(409, description="The export has not failed: only a failed export is retried.")
@bp.alt_response(503, description="The job queue cannot be reached; nothing was started.")
def retry_failed_export(export_id):
    """Queue a failed export again, with the filters it was asked with"""
    export = found_or_404(visible_export(current_user, export_id))
    if not may_start(current_user, export.kind):
        api_abort(403, _("Your role may not export records."))
    try:
        if not retry_export(export):
            api_abort(409, _("Only a failed export can be retried."))
    except QueueUnavailable:
        queue_unavailable()
    return describe(export)


@bp.route("/exports/<int:export_id>", methods=["GET"])
@bp.response(200, ExportSchema)
@bp.alt_response(404, description="No such export, or not one the caller may see.")
def get_export(export_id):
    """How far an export has got"""
    export = found_or_404(visible_export(current_user, export_id))
    return describe(export)


@bp.route("/exports/<int:export_id>/download", methods=["GET"])
@bp.doc(responses={
    "200": {"description": "The workbook (kind all: a zip; a report asked as pdf: the PDF).", "content": {
        XLSX: {"schema": {"type": "string", "format": "binary"}},
        PDF: {"schema": {"type": "string", "format": "binary"}},
        ZIP: {"schema": {"type": "string", "format": "binary"}}}},
    "404": {"description": "No such export, or not one the caller may see."},
    "409": {"description": "The export has not finished."},
})
def download(export_id):
    """The finished export's file"""
    export = found_or_404(visible_export(current_user, export_id))
    if export.status != "finished" or not export.file_name:
        api_abort(409, _("The export has not finished yet."))
    path = os.path.join(export_dir(current_app, current_tenant().schema_name), export.file_name)
    return send_file(path, mimetype=mimetype(export), as_attachment=True,
                     download_name=download_name(export, current_tenant().name))
