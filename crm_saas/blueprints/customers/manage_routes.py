"""Changing hands and the recycle bin (C8, C9): transfer one or many, delete, restore, purge."""
from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from crm_saas.blueprints.customers.blueprint import bp, customer_for, visible_or_404
from crm_saas.blueprints.customers.pages import list_context
from crm_saas.blueprints.customers.services import get_visible_customer, visible_by_ids
from crm_saas.blueprints.customers.services.recycle import (
    delete_customer,
    purge_customers,
    purge_date,
    purge_expired,
    recycle_bin,
    restore_customer,
)
from crm_saas.blueprints.customers.services.transfer import TransferError, colleagues
from crm_saas.blueprints.customers.services.transfer_requests import transfer_many, transfer_or_request
from crm_saas.core.htmx import redirect_to, render
from crm_saas.core.permissions import can, permission_required
from crm_saas.core.queries import page_number
from crm_saas.core.users import User
from crm_saas.extensions import db


def _transfer_message(outcome, name):
    if outcome == "done":
        return _("%(customer)s now belongs to %(name)s.", customer=name[0], name=name[1])
    return _("Your request to give %(customer)s to %(name)s waits for approval.", customer=name[0], name=name[1])


@bp.route("/<int:customer_id>/transfer", methods=["GET", "POST"])
@login_required
def transfer(customer_id):
    """Transfer (with the right) or ask to (without it): the same form, the service decides which."""
    customer = customer_for(customer_id, "full")  # a share never hands a customer on
    errors, values = {}, {"to": request.form.get("to", ""), "reason": request.form.get("reason", "")}
    if request.method == "POST":
        to = int(values["to"]) if values["to"].isdigit() else None
        try:
            outcome, _result = transfer_or_request(customer, to, values["reason"], actor=current_user)
        except TransferError as err:
            errors = err.errors
        else:
            flash(_transfer_message(outcome, (customer.name, db.session.get(User, to).name)), "success")
            still_visible = get_visible_customer(current_user, customer.id) is not None
            target = url_for("customers.detail", customer_id=customer.id) if still_visible \
                else url_for("customers.index")
            return redirect_to(target)
    return render("customers/transfer.html", "customers/_transfer.html", customer=customer, errors=errors,
                  values=values, people=colleagues(), direct=can(current_user, "transfer_customers")), \
        422 if errors else 200


@bp.route("/bulk-transfer", methods=["POST"])
@login_required
def bulk_transfer():
    """Transfer the ticked customers of the list (C8): those the person cannot see are simply not found."""
    ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
    customers = visible_by_ids(current_user, ids, shared=False)  # a share never hands a customer on
    to = request.form.get("to", "")
    context = {}
    if not customers:
        context["bulk_errors"] = {"ids": [_("Tick the customers to transfer.")]}
    else:
        try:
            counts = transfer_many(customers, int(to) if to.isdigit() else None, request.form.get("reason"),
                                   actor=current_user)
        except TransferError as err:
            context["bulk_errors"] = err.errors
        else:
            context["bulk_message"] = _bulk_summary(counts, db.session.get(User, int(to)).name)
    status = 422 if context.get("bulk_errors") else 200
    return render_template("customers/_results.html", **list_context(request.form), **context), status


def _bulk_summary(counts, name):
    """E.g. "2 customers transferred to Li Na. 1 transfer waits for approval."."""
    parts = []
    if counts["done"]:
        parts.append(ngettext("%(num)s customer transferred to %(name)s.", "%(num)s customers transferred to %(name)s.",
                              counts["done"], name=name))
    if counts["pending"]:
        parts.append(ngettext("%(num)s transfer waits for approval.", "%(num)s transfers wait for approval.",
                              counts["pending"]))
    if counts["skipped"]:
        parts.append(ngettext("%(num)s customer already belonged to %(name)s.",
                              "%(num)s customers already belonged to %(name)s.", counts["skipped"], name=name))
    return " ".join(parts)


@bp.route("/<int:customer_id>/delete", methods=["POST"])
@permission_required("delete_customers")
def delete(customer_id):
    customer = customer_for(customer_id, "full")
    delete_customer(customer, actor=current_user, reason=request.form.get("reason"))
    flash(_("%(name)s has been moved to the recycle bin.", name=customer.name), "success")
    return redirect_to(url_for("customers.recycle_bin"))


@bp.route("/recycle-bin", endpoint="recycle_bin")
@login_required
def recycle_bin_page():
    if current_user.role == "admin":
        purge_expired()  # what outlived the company's retention goes before the admin looks
    page = page_number(request.args.get("page", "1"))
    rows, total = recycle_bin(current_user, page)
    return render("customers/recycle_bin.html", "customers/_recycle_bin.html", customers=rows, total=total,
                  page=page, purge_date=purge_date, may_restore=can(current_user, "delete_customers"))


@bp.route("/<int:customer_id>/restore", methods=["POST"])
@permission_required("delete_customers")
def restore(customer_id):
    customer = visible_or_404(customer_id, deleted=True)
    restore_customer(customer, actor=current_user)
    flash(_("%(name)s has been restored.", name=customer.name), "success")
    return redirect_to(url_for("customers.detail", customer_id=customer.id))


@bp.route("/<int:customer_id>/purge", methods=["POST"])
@login_required
def purge(customer_id):
    """Admins only (C9): gone for good, with its contacts, deals, files and history."""
    customer = visible_or_404(customer_id, deleted=True)
    if current_user.role != "admin":
        abort(403)
    name = customer.name
    purge_customers([customer.id], actor=current_user)
    flash(_("%(name)s has been deleted for good.", name=name), "success")
    return redirect_to(url_for("customers.recycle_bin"))
