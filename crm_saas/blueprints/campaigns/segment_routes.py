"""Segment pages: my segments and the team's with their live counts, one segment's customers, saving the
customer list's filters as a segment, editing, deleting and exporting one."""
from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm_saas.blueprints.campaigns.blueprint import bp, segment_or_404
from crm_saas.blueprints.campaigns.display import filter_summary
from crm_saas.blueprints.campaigns.forms import segment_data
from crm_saas.blueprints.campaigns.services.audience import segment_counts, segment_customers, start_segment_export
from crm_saas.blueprints.campaigns.services.segments import (
    SegmentError,
    as_args,
    create_segment,
    delete_segment,
    dormant_days,
    from_query,
    get_segment_for,
    list_segments,
    may_delete_segment,
    may_edit_segment,
    update_segment,
)
from crm_saas.blueprints.customers.pages import SORT_LABELS
from crm_saas.blueprints.customers.services import codes as customer_codes
from crm_saas.blueprints.exports.services import QUEUE_DOWN
from crm_saas.core.htmx import redirect_to, render
from crm_saas.core.jobs import QueueUnavailable
from crm_saas.core.permissions import can
from crm_saas.core.queries import page_number
from crm_saas.core.templating import url_around_id

PER_PAGE = 50


@bp.route("/segments/")
@login_required
def segments():
    rows = list_segments(current_user)
    return render_template("campaigns/segments.html", segments=rows, counts=segment_counts(rows, current_user),
                           may_edit=may_edit_segment, may_delete=may_delete_segment, list_args=_list_args,
                           summary=filter_summary)


def _list_args(segment):
    """The customer list's query string for a filter segment (``url_for`` repeats list values)."""
    return as_args(segment).to_dict(flat=False)


@bp.route("/segments/<int:segment_id>")
@login_required
def segment(segment_id):
    found = segment_or_404(segment_id)
    sort = request.args.get("sort") if request.args.get("sort") in SORT_LABELS else None
    page = page_number(request.args.get("page", "1"))
    customers, total = segment_customers(found, current_user, page=page, per_page=PER_PAGE, sort=sort)
    return render("campaigns/segment.html", "campaigns/_segment_customers.html", segment=found, customers=customers,
                  total=total, page=page, per_page=PER_PAGE, sort=sort, sort_labels=SORT_LABELS,
                  customer_codes=customer_codes, detail=url_around_id("customers.detail", "customer_id"),
                  may_edit=may_edit_segment(current_user, found), may_delete=may_delete_segment(current_user, found),
                  list_args=_list_args(found), summary=filter_summary(found))


@bp.route("/segments/new", methods=["POST"])
@login_required
def segment_new():
    """The customer list's "Save as segment": its current filters (the form brings them along) under a name,
    as a new segment or in place of the filters of one of one's own (``replace``)."""
    replace = request.form.get("replace", "")
    target = get_segment_for(current_user, int(replace)) if replace.isdigit() else None
    if replace.isdigit() and (target is None or target.builtin or not may_edit_segment(current_user, target)):
        abort(404 if target is None else 403)
    try:
        filters = from_query(request.form)
        if target is not None:
            found = update_segment(target, {"filters": filters}, actor=current_user)
        else:
            found = create_segment({"name": request.form.get("name", ""), "shared": request.form.get("shared") == "y",
                                    "filters": filters}, actor=current_user)
    except SegmentError as err:
        return render_template("campaigns/_save_segment.html", errors=err.errors, values=request.form), 422
    flash(_("Segment %(name)s has been saved.", name=found.name), "success")
    return redirect_to(url_for("campaigns.segment", segment_id=found.id))


@bp.route("/segments/<int:segment_id>/edit", methods=["GET", "POST"])
@login_required
def segment_edit(segment_id):
    found = segment_or_404(segment_id)
    if not may_edit_segment(current_user, found):
        abort(403)
    if request.method == "GET":
        return _segment_form(found)
    data = segment_data(request.form, builtin=bool(found.builtin))
    try:
        update_segment(found, data, actor=current_user)
    except SegmentError as err:
        return _segment_form(found, 422, err.errors, request.form)
    flash(_("Segment %(name)s has been saved.", name=found.name), "success")
    return redirect_to(url_for("campaigns.segment", segment_id=found.id))


def _segment_form(found, status=200, errors=None, values=None):
    return render_template("campaigns/segment_form.html", segment=found, errors=errors or {}, values=values,
                           days=dormant_days(found) if found.builtin else None), status


@bp.route("/segments/<int:segment_id>/delete", methods=["POST"])
@login_required
def segment_delete(segment_id):
    found = segment_or_404(segment_id)
    if not may_delete_segment(current_user, found):
        abort(403)
    name = found.name
    delete_segment(found, actor=current_user)
    flash(_("Segment %(name)s has been deleted.", name=name), "success")
    return redirect_to(url_for("campaigns.segments"))


@bp.route("/segments/<int:segment_id>/export", methods=["POST"])
@login_required
def segment_export(segment_id):
    """The segment's customers as the customer list exports them (exports feature): needs the ``export`` right."""
    found = segment_or_404(segment_id)
    if not can(current_user, "export"):
        abort(403)
    try:
        export = start_segment_export(found, actor=current_user)
    except QueueUnavailable:
        page = render_template("exports/_progress.html", export=None, unavailable=QUEUE_DOWN)
        return page, 503, {"Retry-After": "60"}
    return render_template("exports/_progress.html", export=export)

