"""Files of customers and deals: list, upload (multipart), metadata, download, delete.

Each call finds the file's record through the visibility rule first, so a
file of a record the caller cannot see is a 404 like the record. A refused
upload is a 422 naming ``file``, and so is a body too large to be read.
"""
import marshmallow as ma
from flask import jsonify, url_for
from flask_login import current_user
from marshmallow import fields
from werkzeug.exceptions import RequestEntityTooLarge

from crm_saas.api import api_blueprint
from crm_saas.api.errors import api_abort
from crm_saas.api.paging import PageArgs, page_of, page_schema
from crm_saas.blueprints.files import services
from crm_saas.blueprints.files.services import limits, storage
from crm_saas.core.views import found_or_404

bp = api_blueprint("api_files", __name__, "Files attached to customers and deals.")

UPLOADS = ("api_files.upload_customer_file", "api_files.upload_deal_file")
NOT_VISIBLE = "No such record, or not one the caller may see."


class UploaderSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()


class AttachmentSchema(ma.Schema):
    id = fields.Integer()
    entity = fields.String(metadata={"enum": ["customer", "deal"]})
    entity_id = fields.Integer()
    file_name = fields.String(metadata={"description": "The uploader's file name, as shown and downloaded."})
    content_type = fields.String(metadata={"description": "Decided by the server from the checked type."})
    size = fields.Integer(metadata={"description": "Bytes."})
    uploaded_by = fields.Nested(UploaderSchema)
    uploaded_at = fields.DateTime()
    download_url = fields.Method("_download_url")

    def _download_url(self, attachment):
        return url_for("api_files.download", file_id=attachment.id, _external=True)


class UploadSchema(ma.Schema):
    file = fields.Raw(load_default=None, metadata={
        "type": "string", "format": "binary",
        "description": "Required. pdf, doc(x), xls(x), ppt(x), txt, csv, png, jpg, gif, webp or zip; "
                       "its content must match its extension; at most CRM_MAX_ATTACHMENT_MB (20 MB by default).",
    })


AttachmentPageSchema = page_schema(AttachmentSchema, "AttachmentPage")


@bp.url_value_preprocessor
def _upload_limit(endpoint, values):
    if endpoint in UPLOADS:
        limits.allow_upload_body()


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """A body too large to read gets the same 422 as a file found too large while stored."""
    response = jsonify({"errors": {"file": [limits.too_large_message()]}})
    response.status_code = 422
    return response


def _record(entity, customer_id=None, deal_id=None):
    return found_or_404(services.visible_record(current_user, entity, customer_id or deal_id))


# One view per call serves customers and deals alike: each is routed twice, its entity a route default.
CUSTOMER_FILES = {"rule": "/customers/<int:customer_id>/files", "defaults": {"entity": "customer"}}
DEAL_FILES = {"rule": "/deals/<int:deal_id>/files", "defaults": {"entity": "deal"}}


@bp.route(**CUSTOMER_FILES, methods=["GET"], endpoint="list_customer_files")
@bp.route(**DEAL_FILES, methods=["GET"], endpoint="list_deal_files")
@bp.arguments(PageArgs, location="query")
@bp.response(200, AttachmentPageSchema)
@bp.alt_response(404, description=NOT_VISIBLE)
def list_files(args, entity, **record_id):
    """A customer's or a deal's files, newest first"""
    record = _record(entity, **record_id)
    return page_of(services.attachments_of(entity, record.id), services.NEWEST_FIRST, args)


@bp.route(**CUSTOMER_FILES, methods=["POST"], endpoint="upload_customer_file")
@bp.route(**DEAL_FILES, methods=["POST"], endpoint="upload_deal_file")
@bp.arguments(UploadSchema, location="files")
@bp.response(201, AttachmentSchema)
@bp.alt_response(404, description=NOT_VISIBLE)
def upload_file(data, entity, **record_id):
    """Attach a file to a customer or a deal (multipart/form-data, field ``file``)"""
    record = _record(entity, **record_id)
    return services.save_attachment(entity, record, data.get("file"), actor=current_user)


def _visible(file_id):
    return found_or_404(services.visible_attachment(current_user, file_id))


@bp.route("/files/<int:file_id>", methods=["GET"])
@bp.response(200, AttachmentSchema)
@bp.alt_response(404, description="No such file, or its record is not one the caller may see.")
def get_file(file_id):
    """One file's metadata"""
    return _visible(file_id)[0]


@bp.route("/files/<int:file_id>/download", methods=["GET"])
@bp.doc(responses={
    "200": {"description": "The file, as an attachment under its own name.",
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
    "404": {"description": "No such file, or its record is not one the caller may see."},
})
def download(file_id):
    """The file itself"""
    attachment = _visible(file_id)[0]
    path = found_or_404(services.open_attachment(attachment))
    return storage.send_attachment(attachment, path)


@bp.route("/files/<int:file_id>", methods=["DELETE"])
@bp.response(204)
@bp.alt_response(403, description="Only the uploader, the record's owner or a settings manager may delete it.")
@bp.alt_response(404, description="No such file, or its record is not one the caller may see.")
def delete_file(file_id):
    """Delete a file"""
    attachment, record = _visible(file_id)
    if not services.may_delete(current_user, attachment, record):
        api_abort(403)
    services.delete_attachment(attachment, actor=current_user)
