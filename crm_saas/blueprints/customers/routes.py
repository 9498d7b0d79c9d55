"""Customer pages: the list with search and filters, add, detail, inline edit, change log (C2-C7, C13).

Transfers and the recycle bin are in ``manage_routes.py``; duplicates and
merges in ``duplicate_routes.py``; shares in ``share_routes.py``; all hang on
the same blueprint.
"""
from flask import flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm_saas.blueprints.custom_fields.services import definitions, form_values
from crm_saas.blueprints.customers import display, duplicate_routes, manage_routes, share_routes  # noqa: F401 (on bp)
from crm_saas.blueprints.customers.blueprint import bp, customer_for, form_context, visible_or_404
from crm_saas.blueprints.customers.forms import CustomerForm, fill_from
from crm_saas.blueprints.customers.pages import list_context, save_columns
from crm_saas.blueprints.customers.services import (
    CustomerError,
    as_stored,
    codes,
    create_customer,
    editable_data,
    update_customer,
)
from crm_saas.blueprints.customers.services.changes import changes_page
from crm_saas.blueprints.customers.services.duplicates import find_matches
from crm_saas.blueprints.customers.services.shares import access_of, may_share, own_share
from crm_saas.blueprints.customers.services.validation import validate_customer
from crm_saas.core.htmx import is_htmx, redirect_to, render
from crm_saas.core.permissions import permission_required
from crm_saas.core.queries import page_number
from crm_saas.core.visibility import who_can_see

__all__ = ["bp"]


@bp.route("/")
@login_required
def index():
    return render("customers/index.html", "customers/_results.html", **list_context(request.args))


@bp.route("/columns", methods=["POST"])
@login_required
def columns():
    """Save the columns this person wants in the list, then show the list with them."""
    save_columns(current_user, request.form.getlist("columns"))
    return render_template("customers/_results.html", **list_context(request.form))


def _form_page(form, status, *, customer=None, errors=None, **extra):
    custom = form_values("customer", request.form) if request.method == "POST" else (
        editable_data(customer)["custom"] if customer else {})
    context = form_context(form, custom=custom, errors=errors, customer=customer)
    if customer is None:
        return render("customers/new.html", "customers/_form.html", **context, **extra), status
    return render("customers/edit.html", "customers/_edit.html", **context, **extra), status


def _contact_rows_changed(form):
    """The form's add/remove-contact buttons change the rows and redraw the form, saving nothing."""
    action = request.form.get("contact_action", "")
    if action == "add":
        form.contacts.append_entry()
    elif action.startswith("remove-") and action[7:].isdigit() and len(form.contacts.entries) > 1:
        index, primary = int(action[7:]), int(form.primary.data or 0)
        kept = [entry.data for i, entry in enumerate(form.contacts.entries) if i != index]
        while form.contacts.entries:
            form.contacts.pop_entry()
        for data in kept:
            form.contacts.append_entry(data)
        form.primary.data = str(0 if primary == index else primary - (primary > index))
    return bool(action)


def _duplicates_first(form, data, customer=None):
    """Matches to confirm before saving (C10), unless the person already saw them and chose to save."""
    if form.confirm_duplicates.data:
        return None
    matches, hidden = find_matches(data, user=current_user, exclude_id=customer.id if customer else None)
    if not matches and not hidden:
        return None
    form.confirm_duplicates.data = "1"
    return {"duplicates": matches, "hidden_duplicates": hidden}


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    form = CustomerForm()
    if request.method == "GET" or _contact_rows_changed(form):
        return _form_page(form, 200)

    data = form.customer_data(form_values("customer", request.form))
    errors = validate_customer(data)
    if not errors:
        warning = _duplicates_first(form, data)
        if warning:
            return _form_page(form, 200, **warning)
        try:
            customer = create_customer(data, actor=current_user, owner_id=form.owner_id.data)
        except CustomerError as err:
            errors = err.errors
        else:
            flash(_("Customer %(number)s has been saved.", number=customer.number), "success")
            return redirect_to(url_for("customers.detail", customer_id=customer.id))
    return _form_page(form, 422, errors=errors)


@bp.route("/<int:customer_id>")
@login_required
def detail(customer_id):
    customer = visible_or_404(customer_id)
    return render("customers/detail.html", "customers/_detail.html", **detail_context(customer))


def detail_context(customer, changes_page_number=1, **extra):
    """Everything the one customer page shows at once (C13)."""
    changes, changes_total = changes_page(customer.id, changes_page_number)
    access = access_of(current_user, customer)
    return dict(customer=customer, codes=codes, definitions=definitions("customer"),
                changes=changes, changes_total=changes_total, changes_page_number=changes_page_number,
                access=access, my_share=own_share(current_user, customer) if access in ("read", "edit") else None,
                may_share=may_share(current_user, customer), **extra)


@bp.route("/<int:customer_id>/edit", methods=["GET", "POST"])
@login_required
def edit(customer_id):
    """The whole customer as a form, in place of the summary (htmx) or as a page; saving asks for a reason."""
    customer = customer_for(customer_id, "edit")  # a read-only share opens the page, never the form
    if request.method == "GET":
        form = CustomerForm(formdata=None)
        fill_from(form, editable_data(customer, viewer=current_user))
        return _form_page(form, 200, customer=customer)
    form = CustomerForm()
    if _contact_rows_changed(form):
        return _form_page(form, 200, customer=customer)

    data = as_stored(customer, form.customer_data(form_values("customer", request.form)), actor=current_user)
    errors = validate_customer(data)
    if not errors:
        warning = _duplicates_first(form, data, customer)
        if warning:
            return _form_page(form, 200, customer=customer, **warning)
        try:
            rows = update_customer(customer, data, actor=current_user, reason=form.reason.data)
        except CustomerError as err:
            errors = err.errors
        else:
            message = _("Changes saved.") if rows else _("Nothing changed.")
            if is_htmx():
                return render_template("customers/_saved.html", message=message, **detail_context(customer))
            flash(message, "success")
            return redirect_to(url_for("customers.detail", customer_id=customer.id))
    return _form_page(form, 422, customer=customer, errors=errors)


@bp.route("/<int:customer_id>/summary")
@login_required
def summary(customer_id):
    """The summary again: what "Cancel" on the inline edit form shows."""
    customer = visible_or_404(customer_id)
    return render_template("customers/_summary.html", **detail_context(customer))


@bp.route("/<int:customer_id>/changes")
@login_required
def changes(customer_id):
    customer = visible_or_404(customer_id)
    page = page_number(request.args.get("page", "1"))
    return render("customers/detail.html", "customers/_changes.html", **detail_context(customer, page))


@bp.route("/<int:customer_id>/access")
@permission_required("manage_staff")
def access(customer_id):
    """Who can see this customer, and why: the owner, the chain above them, then the company-wide roles."""
    customer = visible_or_404(customer_id)
    return render_template("customers/access.html", customer=customer, viewers=who_can_see(customer.owner))
