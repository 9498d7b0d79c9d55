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

from crm_saas.api import api_blueprint
from crm_saas.api.errors import api_abort
from crm_saas.api.schemas import InputSchema
from crm_saas.blueprints.exports.models import EXPORT_KINDS
from crm_saas.blueprints.exports.services import (
    download_name,
    export_dir,
    may_start,
    retry_export,
    start_export,
    visible_export,
)
from crm_saas.core.jobs import QueueUnavailable
from crm_saas.core.permissions import can
from crm_saas.core.views import found_or_404
from crm_saas.tenants.resolve import current_tenant

bp = api_blueprint("api_exports", __name__, "Exports to Excel, made in the background.")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP = "application/zip"


class CustomerFiltersSchema(ma.Schema):
    """The customer list's filters; an unknown one is refused rather than silently ignored."""

    q = fields.String()
    type = fields.String()
    industry = fields.String()
    source = fields.String()
    category = fields.String()
    tag = fields.String()
    tags = fields.List(fields.String(), metadata={"description": "Customers carrying all of these tags."})
    owner_id = fields.Integer()
    province = fields.String()
    city = fields.String()
    district = fields.String()
    status = fields.String()
    created_from = fields.Date()
    created_to = fields.Date()
    custom = fields.Dict(keys=fields.String(), metadata={
        "description": "Custom field filters by key: a value, or [min, max] / [from, to] for numbers and dates."})

    @ma.post_load
    def dates_as_text(self, data, **kwargs):
        """Kept as JSON with the export, so the job reads the same filters later."""
        return {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in data.items()}


class ExportRequestSchema(InputSchema):
    kind = fields.String(required=True, metadata={"enum": list(EXPORT_KINDS)})
    filters = fields.Nested(CustomerFiltersSchema, load_default=dict)


class ExportSchema(ma.Schema):
    id = fields.Integer()
    kind = fields.String()
    status = fields.String(metadata={"enum": ["queued", "started", "finished", "failed"]})
    progress = fields.Integer(metadata={"description": "0-100"})
    error = fields.String(allow_none=True, metadata={"description": "Why it failed, in the caller's language."})
    download_url = fields.String(allow_none=True, metadata={"description": "Set once the export has finished."})


def describe(export):
    done = export.status == "finished" and export.file_name
    return {
        "id": export.id, "kind": export.kind, "status": export.status, "progress": export.progress,
        "error": export.failure,
        "download_url": url_for("api_exports.download", export_id=export.id, _external=True) if done else None,
    }


def queue_unavailable():
    api_abort(503, _("The job queue cannot be reached. Nothing was started; try again in a minute."),
              headers={"Retry-After": "60"})


@bp.route("/exports", methods=["POST"])
@bp.arguments(ExportRequestSchema)
@bp.response(202, ExportSchema)
@bp.alt_response(403, description="The caller's role may not export (permission matrix); kind all (every table "
                                  "and file, as a zip) is for administrators only.")
@bp.alt_response(503, description="The job queue cannot be reached; nothing was started.")
def create_export(data):
    """Queue an export of the records the caller may see (kind all: the whole company, admins only)"""
    if not can(current_user, "export"):
        api_abort(403, _("Your role may not export records."))
    if data["kind"] not in EXPORT_KINDS:
        api_abort(422, errors={"kind": [_("Choose a value from the list.")]})
    if not may_start(current_user, data["kind"]):
        api_abort(403, _("Only administrators may export all of the company's data."))
    try:
        return describe(start_export(data["kind"], data["filters"], actor=current_user))
    except QueueUnavailable:
        queue_unavailable()


@bp.route("/exports/<int:export_id>/retry", methods=["POST"])
@bp.response(202, ExportSchema)
@bp.alt_response(403, description="The caller's role may not export (permission matrix).")
@bp.alt_response(404, description="No such export, or not one the caller may see.")
@bp.alt_response(409, description="The export has not failed: only a failed export is retried.")
@bp.alt_response(503, description="The job queue cannot be reached; nothing was started.")
def retry_failed_export(export_id):
    """Queue a failed export again, with the filters it was asked with"""
    if not can(current_user, "export"):
        api_abort(403, _("Your role may not export records."))
    export = found_or_404(visible_export(current_user, export_id))
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
    "200": {"description": "The workbook (kind all: a zip).", "content": {
        XLSX: {"schema": {"type": "string", "format": "binary"}},
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
    return send_file(path, mimetype=ZIP if export.kind == "all" else XLSX, as_attachment=True,
                     download_name=download_name(export, current_tenant().name))
