"""Import pages: upload (with the templates), map and dry-run, commit with a progress bar, history, revert."""
import os
import tempfile

from flask import abort, render_template, request, send_file, url_for
from flask_login import current_user

from crm_saas.blueprints.imports.blueprint import batch_or_404, bp
from crm_saas.blueprints.imports.display import STATUS_LABELS, batch_context, download_name, template_name
from crm_saas.blueprints.imports.models import KINDS
from crm_saas.blueprints.imports.services import (
    ImportBusy,
    ImportRefused,
    RevertError,
    create_import,
    history,
    max_bytes,
    problems,
    set_options,
    start_commit,
    start_revert,
    status_of,
    storage,
    validate_import,
)
from crm_saas.blueprints.imports.services.fields import KIND_LABELS
from crm_saas.blueprints.imports.services.template_book import write_template
from crm_saas.core.htmx import redirect_to
from crm_saas.core.jobs import QueueUnavailable
from crm_saas.core.permissions import permission_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RIGHT = "import_customers"


@bp.context_processor
def _labels():
    return {"kind_labels": KIND_LABELS, "status_labels": STATUS_LABELS, "status_of": status_of}


@bp.url_value_preprocessor
def _upload_limit(endpoint, values):
    """An upload may be larger than the app's usual body limit (the service measures the file itself)."""
    if endpoint == "imports.upload":
        request.max_content_length = max_bytes() + 64 * 1024


@bp.route("/")
@permission_required(RIGHT)
def index():
    page = max(request.args.get("page", 1, type=int), 1)
    batches, total = history(current_user, page)
    return render_template("imports/index.html", kinds=KINDS, batches=batches, total=total, page=page, errors={},
                           kind=request.args.get("kind", "customers"))


@bp.route("/", methods=["POST"])
@permission_required(RIGHT)
def upload():
    try:
        imp = create_import(request.files.get("file"), request.form.get("kind", ""), actor=current_user)
    except ImportRefused as refused:
        batches, total = history(current_user)
        return render_template("imports/index.html", kinds=KINDS, batches=batches, total=total, page=1,
                               errors=refused.errors, kind=request.form.get("kind")), 422
    return redirect_to(url_for("imports.batch", import_id=imp.id))


@bp.route("/templates/<kind>")
@permission_required(RIGHT)
def template(kind):
    if kind not in KINDS:
        abort(404)
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    write_template(path, kind)
    response = send_file(path, mimetype=XLSX, as_attachment=True, download_name=template_name(kind))
    response.call_on_close(lambda: os.remove(path))
    return response


@bp.route("/<int:import_id>")
@permission_required(RIGHT)
def batch(import_id):
    return render_template("imports/batch.html", **batch_context(batch_or_404(import_id)))


def _batch_part(imp, status=200, **extra):
    return render_template("imports/_batch.html", **batch_context(imp, **extra)), status


@bp.route("/<int:import_id>/check", methods=["POST"])
@permission_required(RIGHT)
def check(import_id):
    """Save the mapping and options, then run the dry run: the page shows what a commit would do."""
    imp = batch_or_404(import_id)
    form = request.form
    data = {
        "mapping": {column: form.get(f"map-{index}") or None for index, column in enumerate(imp.columns)},
        "defaults": {key[len("default-"):]: value for key, value in form.items() if key.startswith("default-")},
        "duplicate_policy": form.get("duplicate_policy", imp.duplicate_policy),
        "pool_id": form.get("pool_id", type=int),
    }
    try:
        set_options(imp, data, actor=current_user)
        validate_import(imp, actor=current_user)
    except (ImportRefused, ImportBusy) as refused:
        return _batch_part(imp, 422, errors=refused.errors)
    return _batch_part(imp)


@bp.route("/<int:import_id>/commit", methods=["POST"])
@permission_required(RIGHT)
def commit(import_id):
    imp = batch_or_404(import_id)
    try:
        start_commit(imp, actor=current_user)
    except ImportBusy as refused:
        return _batch_part(imp, 409, errors=refused.errors)
    except QueueUnavailable:
        return _batch_part(imp, 503, unavailable=True)
    return _batch_part(imp)


@bp.route("/<int:import_id>/revert", methods=["POST"])
@permission_required(RIGHT)
def revert(import_id):
    imp = batch_or_404(import_id)
    try:
        start_revert(imp, actor=current_user)
    except (RevertError, ImportBusy) as refused:
        return _batch_part(imp, 409, errors=refused.errors)
    except QueueUnavailable:
        return _batch_part(imp, 503, unavailable=True)
    return _batch_part(imp)


@bp.route("/<int:import_id>/progress")
@permission_required(RIGHT)
def progress(import_id):
    return _batch_part(batch_or_404(import_id))


@bp.route("/<int:import_id>/problems")
@permission_required(RIGHT)
def problem_list(import_id):
    imp = batch_or_404(import_id)
    kind = "duplicate" if request.args.get("kind") == "duplicate" else "error"
    page = max(request.args.get("page", 1, type=int), 1)
    rows, total = problems(imp, kind, page)
    return render_template("imports/problems.html", imp=imp, rows=rows, total=total, page=page, kind=kind)


@bp.route("/<int:import_id>/errors.xlsx")
@permission_required(RIGHT)
def error_file(import_id):
    imp = batch_or_404(import_id)
    if not imp.error_file_name or not os.path.exists(storage.path_of(imp.error_file_name)):
        abort(404)
    return send_file(storage.path_of(imp.error_file_name), mimetype=XLSX, as_attachment=True,
                     download_name=download_name(imp))
