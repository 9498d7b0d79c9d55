"""The approval queue page: approve or reject, each answer re-renders the queue without the row."""
from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm_saas.blueprints.approvals.services import (
    ApprovalError,
    pending_count,
    pending_for,
    pending_with_protections,
    queued_customer,
)
from crm_saas.blueprints.approvals.services import (
    approve as approve_customer,
)
from crm_saas.blueprints.approvals.services import (
    reject as reject_customer,
)
from crm_saas.blueprints.customers.services.transfer import TransferError
from crm_saas.blueprints.customers.services.transfer_requests import (
    approve_transfer as approve_transfer_request,
)
from crm_saas.blueprints.customers.services.transfer_requests import (
    pending_transfer_count,
    pending_transfers_for,
    queued_request,
)
from crm_saas.blueprints.customers.services.transfer_requests import (
    reject_transfer as reject_transfer_request,
)
from crm_saas.blueprints.pools.services import PoolError
from crm_saas.blueprints.pools.services.protection import (
    approve_protection,
    pending_protection_count,
    pending_protections_for,
    queued_protection,
    reject_protection,
)
from crm_saas.core.htmx import is_htmx, redirect_to, render
from crm_saas.core.permissions import can, permission_required
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("approvals", __name__, url_prefix="/approvals"), TENANT_SCOPE)
TRANSFERS = "approvals/_transfers.html"
PROTECTIONS = "approvals/_protections.html"


@bp.app_template_global("pending_approvals")
def pending_approvals():
    """The nav badge: new customers, transfer and protection requests waiting, counted only when a page shows it."""
    return pending_with_protections(current_user) + pending_transfer_count(current_user)


@bp.app_template_global("may_approve")
def may_approve():
    return current_user.is_authenticated and (can(current_user, "approve_customers")
                                              or can(current_user, "transfer_customers"))


def _queue_page(status=200, fragment="approvals/_queue.html", **context):
    """The page, or (for htmx) just the queue that was acted on, which carries its own message."""
    context.setdefault("errors", {})
    context.setdefault("notes", {})
    return render(
        "approvals/index.html", fragment,
        customers=pending_for(current_user), total=pending_count(current_user),
        transfers=pending_transfers_for(current_user), transfers_total=pending_transfer_count(current_user),
        protections=pending_protections_for(current_user), protections_total=pending_protection_count(current_user),
        show_customers=can(current_user, "approve_customers"), **context,
    ), status


def _in_queue_or_404(found):
    """Someone else's branch, an own entry or an already decided one: not in this queue, so 404."""
    if found is None:
        abort(404)
    return found


def _done(message, fragment="approvals/_queue.html"):
    """After a decision: the queue acted on again (htmx), or back to the page with the message."""
    if is_htmx():
        return _queue_page(fragment=fragment, message=message)
    flash(message, "success")
    return redirect_to(url_for("approvals.index"))


@bp.route("/")
@login_required
def index():
    if not may_approve():
        abort(403)
    return _queue_page()


@bp.route("/<int:customer_id>/approve", methods=["POST"])
@permission_required("approve_customers")
def approve(customer_id):
    customer = _in_queue_or_404(queued_customer(current_user, customer_id))
    approve_customer(customer, actor=current_user)
    return _done(_("%(name)s (%(number)s) has been approved.", name=customer.name, number=customer.number))


@bp.route("/<int:customer_id>/reject", methods=["POST"])
@permission_required("approve_customers")
def reject(customer_id):
    customer = _in_queue_or_404(queued_customer(current_user, customer_id))
    note = request.form.get("note", "")
    try:
        reject_customer(customer, note, actor=current_user)
    except ApprovalError as err:
        return _queue_page(422, errors={customer.id: err.errors["note"]}, notes={customer.id: note})
    return _done(_("%(name)s (%(number)s) has been rejected.", name=customer.name, number=customer.number))


@bp.route("/transfers/<int:request_id>/approve", methods=["POST"])
@permission_required("transfer_customers")
def approve_transfer(request_id):
    transfer = _in_queue_or_404(queued_request(current_user, request_id))
    try:
        approve_transfer_request(transfer, actor=current_user)
    except TransferError as err:
        return _queue_page(422, fragment=TRANSFERS,
                           transfer_errors={transfer.id: err.messages})
    return _done(_("%(customer)s now belongs to %(name)s.", customer=transfer.customer.name,
                   name=transfer.to_user.name), TRANSFERS)


@bp.route("/transfers/<int:request_id>/reject", methods=["POST"])
@permission_required("transfer_customers")
def reject_transfer(request_id):
    transfer = _in_queue_or_404(queued_request(current_user, request_id))
    note = request.form.get("note", "")
    try:
        reject_transfer_request(transfer, note, actor=current_user)
    except TransferError as err:
        return _queue_page(422, fragment=TRANSFERS, transfer_errors={transfer.id: err.errors["note"]},
                           transfer_notes={transfer.id: note})
    return _done(_("The transfer of %(customer)s has been rejected.", customer=transfer.customer.name), TRANSFERS)


@bp.route("/protections/<int:request_id>/approve", methods=["POST"])
@permission_required("approve_customers")
def approve_protection_request(request_id):
    """C11: more days before the pool's rules take the customer back, as the owner asked."""
    protection = _in_queue_or_404(queued_protection(current_user, request_id))
    try:
        approve_protection(protection, actor=current_user)
    except PoolError as err:
        return _queue_page(422, fragment=PROTECTIONS,
                           protection_errors={protection.id: err.messages})
    return _done(_("%(customer)s has %(num)s more days.", customer=protection.customer.name, num=protection.days),
                 PROTECTIONS)


@bp.route("/protections/<int:request_id>/reject", methods=["POST"])
@permission_required("approve_customers")
def reject_protection_request(request_id):
    protection = _in_queue_or_404(queued_protection(current_user, request_id))
    note = request.form.get("note", "")
    try:
        reject_protection(protection, note, actor=current_user)
    except PoolError as err:
        return _queue_page(422, fragment=PROTECTIONS, protection_errors={protection.id: err.errors["note"]},
                           protection_notes={protection.id: note})
    message = _("The request for more days on %(customer)s has been rejected.", customer=protection.customer.name)
    return _done(message, PROTECTIONS)
