"""The approval queue page: approve or reject, each answer re-renders the queue without the row."""
from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm_saas.blueprints.approvals.services import (
    ApprovalError, approve as approve_customer, pending_count, pending_for, queued_customer, reject as reject_customer,
)
from crm_saas.htmx import is_htmx, redirect_to, render
from crm_saas.permissions import permission_required
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("approvals", __name__, url_prefix="/approvals"), TENANT_SCOPE)


@bp.app_template_global("pending_approvals")
def pending_approvals():
    """The nav badge: counted only when a page that shows it is rendered."""
    return pending_count(current_user)


def _queue_page(status=200, **context):
    """The page, or (for htmx) just the queue, which carries its own message."""
    context.setdefault("errors", {})
    context.setdefault("notes", {})
    return render(
        "approvals/index.html", "approvals/_queue.html",
        customers=pending_for(current_user), total=pending_count(current_user), **context,
    ), status


def _queued_or_404(customer_id):
    """Someone else's branch, an own entry or an already decided customer: not in this queue, so 404."""
    customer = queued_customer(current_user, customer_id)
    if customer is None:
        abort(404)
    return customer


def _done(message):
    if is_htmx():
        return _queue_page(message=message)
    flash(message, "success")
    return redirect_to(url_for("approvals.index"))


@bp.route("/")
@permission_required("approve_customers")
def index():
    return _queue_page()


@bp.route("/<int:customer_id>/approve", methods=["POST"])
@permission_required("approve_customers")
def approve(customer_id):
    customer = _queued_or_404(customer_id)
    approve_customer(customer, actor=current_user)
    return _done(_("%(name)s (%(number)s) has been approved.", name=customer.name, number=customer.number))


@bp.route("/<int:customer_id>/reject", methods=["POST"])
@permission_required("approve_customers")
def reject(customer_id):
    customer = _queued_or_404(customer_id)
    note = request.form.get("note", "")
    try:
        reject_customer(customer, note, actor=current_user)
    except ApprovalError as err:
        return _queue_page(422, errors={customer.id: err.errors["note"]}, notes={customer.id: note})
    return _done(_("%(name)s (%(number)s) has been rejected.", name=customer.name, number=customer.number))
