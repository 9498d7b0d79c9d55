"""One request's page and what is done on it: move it along, assign it (or take it), edit it, add a note.

Every view finds the request through the visibility rule first (a 404
otherwise). An htmx post is answered with the part it changed, which
replaces itself (``_detail.html``, ``_timeline.html``, ``_edit.html``), with
the refusal beside the fields; a plain post goes back to the page.
"""
from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm_saas.blueprints.service import pages
from crm_saas.blueprints.service.blueprint import bp
from crm_saas.blueprints.service.services import IllegalTransition, ServiceError
from crm_saas.blueprints.service.services.flow import transition
from crm_saas.blueprints.service.services.requests import add_note, assign, get_visible_request, update_request
from crm_saas.core.htmx import is_htmx, redirect_to, render
from crm_saas.core.views import found_or_404

DETAIL, TIMELINE, EDIT = "service/_detail.html", "service/_timeline.html", "service/_edit.html"


def request_or_404(request_id):
    return found_or_404(get_visible_request(current_user, request_id))


def _answer(req, fragment, status=200, message=None, **context):
    """The changed part (htmx) or the page again, with what happened."""
    if is_htmx():
        return render("service/detail.html", fragment, **pages.detail_context(req, message=message, **context)), \
            status
    if message:
        flash(message, "success" if status < 400 else "error")
    for messages in {**context.get("errors", {}), **context.get("note_errors", {})}.values():
        for text in messages:
            flash(text, "error")
    return redirect_to(url_for("service.detail", request_id=req.id))


@bp.route("/<int:request_id>")
@login_required
def detail(request_id):
    req = request_or_404(request_id)
    return render("service/detail.html", DETAIL, **pages.detail_context(req))


@bp.route("/<int:request_id>/timeline")
@login_required
def timeline(request_id):
    return render("service/detail.html", TIMELINE, **pages.detail_context(request_or_404(request_id)))


@bp.route("/<int:request_id>/transition", methods=["POST"])
@login_required
def move(request_id):
    req = request_or_404(request_id)
    form = request.form
    try:
        transition(req, form.get("status", ""), actor=current_user, resolution=form.get("resolution"),
                   satisfaction=form.get("satisfaction"), return_visit_at=form.get("return_visit_at"))
    except IllegalTransition as err:
        return _answer(req, DETAIL, 422, errors=err.errors, typed=form)  # a stale page: shown as it now stands
    except ServiceError as err:
        return _answer(req, DETAIL, 422, errors=err.errors, typed=form, opened=form.get("status"))
    return _answer(req, DETAIL, message=_("Status changed."))


@bp.route("/<int:request_id>/assign", methods=["POST"])
@login_required
def assign_to(request_id):
    """"Take it" posts one's own id; the picker posts the chosen colleague's, or nothing to send it back."""
    req = request_or_404(request_id)
    raw = request.form.get("assignee_id", "")
    try:
        assign(req, int(raw) if raw.isdigit() else None, actor=current_user)
    except ServiceError as err:
        return _answer(req, DETAIL, 422, errors=err.errors)
    message = _("Assigned to %(name)s.", name=req.assignee.name) if req.assignee else _("Back in the queue.")
    if get_visible_request(current_user, req.id) is None:  # handed beyond one's own sight: the queue, not a 404
        flash(message, "success")
        return redirect_to(url_for("service.queue"))
    return _answer(req, DETAIL, message=message)


@bp.route("/<int:request_id>/edit", methods=["GET", "POST"])
@login_required
def edit(request_id):
    req = request_or_404(request_id)
    if request.method == "GET":
        return render("service/detail.html", EDIT, **pages.detail_context(req, editing=True))
    values = request.form.to_dict()
    try:
        update_request(req, values, actor=current_user)
    except ServiceError as err:
        return _answer(req, DETAIL, 422, errors=err.errors, typed=values, editing=True)
    return _answer(req, DETAIL, message=_("Changes saved."))


@bp.route("/<int:request_id>/notes", methods=["POST"])
@login_required
def note(request_id):
    req = request_or_404(request_id)
    try:
        add_note(req, request.form.get("body"), actor=current_user)
    except ServiceError as err:
        return _answer(req, TIMELINE, 422, note_errors=err.errors, typed=request.form)
    return _answer(req, TIMELINE)
