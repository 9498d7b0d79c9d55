"""File pages: upload to a customer or deal, download, delete; each answers the record's file list.

Every route finds the record through its visibility rule first, so a file
of a record the user cannot see is a 404 like the record itself.
"""
from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from crm_saas.blueprints.files import services
from crm_saas.blueprints.files.services import limits, storage
from crm_saas.core.htmx import is_htmx, redirect_to
from crm_saas.core.views import found_or_404
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("files", __name__), TENANT_SCOPE)

# Where a post without htmx goes back to (a deal has no page of its own yet: the board).
RECORD_PAGES = {
    "customer": lambda record_id: url_for("customers.detail", customer_id=record_id),
    "deal": lambda record_id: url_for("pipeline.board"),
    "service_request": lambda record_id: url_for("service.detail", request_id=record_id),
}
PARTIAL = "files/_files.html"

bp.add_app_template_global(services.attachments_for, "attachments_for")
bp.add_app_template_global(services.may_delete, "may_delete_attachment")
bp.add_app_template_global(limits.attachment_accept, "attachment_accept")
bp.add_app_template_global(limits.attachment_limit, "attachment_limit")


@bp.app_template_filter("filesize")
def filesize(size):
    """1,024-based sizes in the reader's number format: "830 B", "12.5 KB", "3.2 MB"."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{format_decimal(size / scale, format='#,##0.#')} {unit}"
    return f"{format_decimal(size)} B"


@bp.url_value_preprocessor
def _upload_limit(endpoint, values):
    if endpoint == "files.upload":
        limits.allow_upload_body()


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """A body beyond even the upload limit arrives unread (before login and tenant): say so beside the input.

    Nothing here touches the database, so the message goes into the form's
    error slot by id rather than re-rendering the list.
    """
    if request.endpoint != "files.upload":
        return error
    args = request.view_args
    message = limits.too_large_message()
    if not is_htmx():
        flash(message, "error")
        return redirect_to(RECORD_PAGES[args["entity"]](args["record_id"]))
    slot = f"files-{args['entity']}-{args['record_id']}-error"
    html = render_template("files/_upload_error.html", slot=slot, message=message)
    return html, 422, {"HX-Retarget": f"#{slot}", "HX-Reswap": "outerHTML"}


def _answer(entity, record, error=None):
    """The partial for htmx; otherwise back to the record's page with the outcome flashed."""
    if is_htmx():
        return render_template(PARTIAL, entity=entity, record=record, file_error=error), 422 if error else 200
    if error:
        flash(error, "error")
    return redirect_to(RECORD_PAGES[entity](record.id))


@login_required
def upload(entity, record_id):
    record = found_or_404(services.visible_record(current_user, entity, record_id))
    try:
        attachment = services.save_attachment(entity, record, request.files.get("file"), actor=current_user)
    except services.AttachmentError as err:
        return _answer(entity, record, " ".join(err.errors["file"]))
    if not is_htmx():
        flash(_("%(name)s has been attached.", name=attachment.file_name), "success")
    return _answer(entity, record)


bp.add_url_rule("/customers/<int:record_id>/files", view_func=upload, methods=["POST"],
                defaults={"entity": "customer"})
bp.add_url_rule("/deals/<int:record_id>/files", view_func=upload, methods=["POST"], defaults={"entity": "deal"})
bp.add_url_rule("/service/<int:record_id>/files", view_func=upload, methods=["POST"],
                defaults={"entity": "service_request"})  # the service feature registers its requests (services)


@bp.route("/files/<int:attachment_id>/download")
@login_required
def download(attachment_id):
    found = services.visible_attachment(current_user, attachment_id)
    path = found_or_404(services.open_attachment(found[0]) if found else None)
    return storage.send_attachment(found[0], path)


@bp.route("/files/<int:attachment_id>/delete", methods=["POST"])
@login_required
def delete(attachment_id):
    found = found_or_404(services.visible_attachment(current_user, attachment_id))
    attachment, record = found
    if not services.may_delete(current_user, attachment, record):
        abort(403)
    entity, name = attachment.entity, attachment.file_name
    services.delete_attachment(attachment, actor=current_user)
    if not is_htmx():
        flash(_("%(name)s has been deleted.", name=name), "success")
    return _answer(entity, record)
