"""Export pages: start one, watch its progress bar, retry a failed one, download the file."""
import os

from flask import Blueprint, abort, current_app, render_template, request, send_file
from flask_login import current_user, login_required

from crm_saas.blueprints.activities.services import follow_up_list
from crm_saas.blueprints.customers.services.search import read_filters
from crm_saas.blueprints.exports.services import (
    QUEUE_DOWN,
    download_name,
    export_dir,
    may_start,
    mimetype,
    retry_export,
    start_export,
    visible_export,
)
from crm_saas.blueprints.pipeline.services.deal_list import read_list_args
from crm_saas.core.jobs import QueueUnavailable
from crm_saas.core.permissions import permission_required
from crm_saas.core.views import found_or_404
from crm_saas.tenants.resolve import TENANT_SCOPE, current_tenant, scoped

bp = scoped(Blueprint("exports", __name__, url_prefix="/exports"), TENANT_SCOPE)


@bp.route("/customers", methods=["POST"])
@permission_required("export")
def export_customers():
    return _start("customers", export_filters(request.form))


@bp.route("/deals", methods=["POST"])
@permission_required("export")
def export_deals():
    """The deal list as filtered (its form comes along), every visible match rather than one page."""
    return _start("deals", deal_filters(request.form))


@bp.route("/activities", methods=["POST"])
@permission_required("export")
def export_activities():
    """The follow-up list as filtered, every visible match."""
    filters, _page = follow_up_list.read_list_args(request.form)
    return _start("activities", follow_up_list.as_args(filters))


def _start(kind, filters):
    """Queue the export of ``kind`` and answer its progress bar (503 with the queue down: nothing started)."""
    try:
        export = start_export(kind, filters, actor=current_user)
    except QueueUnavailable:
        return _unavailable()
    return _progress(export)


@bp.route("/all", methods=["POST"])
@login_required
def export_everything():
    """I3: every table and file of the company, for administrators alone (a 403 page for anyone else)."""
    if not may_start(current_user, "all"):
        abort(403)
    try:
        export = start_export("all", {}, actor=current_user)
    except QueueUnavailable:
        return _unavailable()
    return _progress(export)


@bp.route("/<int:export_id>")
@login_required
def progress(export_id):
    export = found_or_404(visible_export(current_user, export_id))
    return _progress(export)


@bp.route("/<int:export_id>/retry", methods=["POST"])
@login_required
def retry(export_id):
    """A failed export, queued again with the filters it was asked with (by someone who may ask for its kind)."""
    export = found_or_404(visible_export(current_user, export_id))
    if not may_start(current_user, export.kind):
        abort(403)
    try:
        retry_export(export)
    except QueueUnavailable:
        return _unavailable()
    return _progress(export)


@bp.route("/<int:export_id>/download")
@login_required
def download(export_id):
    export = visible_export(current_user, export_id)
    if export is None or export.status != "finished" or not export.file_name:
        abort(404)
    path = os.path.join(export_dir(current_app, current_tenant().schema_name), export.file_name)
    return send_file(path, mimetype=mimetype(export), as_attachment=True,
                     download_name=download_name(export, current_tenant().name))


def export_filters(form):
    """The list page's filters as the export job reads them (the API's names; ranges as lists)."""
    q, filters, _sort, _page = read_filters(form)
    if "custom" in filters:
        filters["custom"] = {k: list(v) if isinstance(v, tuple) else v for k, v in filters["custom"].items()}
    return {"q": q, **filters}


def deal_filters(form):
    """The deal list's filters, search and order as the export job reads them (its query names; values as text)."""
    filters, q, sort, _page = read_list_args(form)
    stored = {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in filters.items()}
    stored.update({key: str(stored[key]) for key in ("amount_min", "amount_max") if key in stored})
    if q:
        stored["q"] = q
    if form.get("sort") == sort:  # an order the list knows (read_list_args falls back to newest first)
        stored["sort"] = sort
    return stored


def _progress(export):
    return render_template("exports/_progress.html", export=export)


def _unavailable():
    """503: the job queue is down; nothing was started, and the page says to try again."""
    return render_template("exports/_progress.html", export=None, unavailable=QUEUE_DOWN), 503, {"Retry-After": "60"}
