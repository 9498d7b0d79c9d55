"""Deal pages (D1, D4, D5): the list with bulk changes, the add form, the deal page with inline edit."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from crm_saas.blueprints.custom_fields.services import form_values
from crm_saas.blueprints.customers.services import get_visible_customer
from crm_saas.blueprints.pipeline import pages as deal_pages
from crm_saas.blueprints.pipeline.blueprint import bp, visible_deal_or_404
from crm_saas.blueprints.pipeline.forms import DealForm
from crm_saas.blueprints.pipeline.services import visible_by_ids
from crm_saas.blueprints.pipeline.services.deal_list import bulk_change
from crm_saas.blueprints.pipeline.services.deals import DealError, create_deal, update_deal
from crm_saas.blueprints.pipeline.services.moves import StaleMove, move_deal
from crm_saas.core.htmx import is_htmx, redirect_to, render
from crm_saas.core.views import found_or_404


@bp.route("/deals/")
@login_required
def deal_list():
    return render("pipeline/deals.html", "pipeline/_deal_results.html", **deal_pages.list_context(request.args))


@bp.route("/deals/bulk", methods=["POST"])
@login_required
def bulk():
    """Change the owner or the stage of the ticked deals; deals the person cannot see are simply not found.

    The list's filters come along (``hx-include``) under their own names, so the answer is the same list
    as before the change: the new owner and stage are ``new_owner_id`` and ``new_stage_id``.
    """
    form = request.form
    ids = [int(i) for i in form.getlist("ids") if i.isdigit()]
    deals = visible_by_ids(current_user, ids)
    context = {}
    try:
        changed = bulk_change(
            deals, actor=current_user, owner_id=form.get("new_owner_id", type=int),
            stage_id=form.get("new_stage_id", type=int), lost_reason=form.get("lost_reason"),
        )
    except DealError as err:
        context["bulk_errors"] = err.errors
    else:
        context["bulk_message"] = ngettext("%(num)s deal changed.", "%(num)s deals changed.", changed)
    return render_template("pipeline/_deal_results.html", **deal_pages.list_context(form), **context), \
        422 if "bulk_errors" in context else 200


def _save_new(form):
    data = form.deal_data(form_values("deal", request.form))
    customer = get_visible_customer(current_user, data["customer_id"]) if data.get("customer_id") else None
    deal = create_deal(data, actor=current_user, customer=customer)
    flash(_("Deal %(name)s has been added to the board.", name=deal.name), "success")
    return redirect_to(url_for("pipeline.deal_detail", deal_id=deal.id))


@bp.route("/deals/new", methods=["GET", "POST"])
@login_required
def new_deal():
    """Add a deal: from the board (a stage chosen), a customer page (the customer chosen) or the list."""
    form = DealForm(formdata=request.form if request.method == "POST" else None)
    errors = {}
    if request.method == "GET":
        deal_pages.prefill_new(form, request.args)
    elif not form.change_product_rows(request.form.get("product_action", "")):
        try:
            return _save_new(form)
        except DealError as err:
            errors = err.errors
    context = deal_pages.form_context(form, errors=errors, custom=form_values("deal", request.form)
                                      if request.method == "POST" else {})
    return render("pipeline/deal_new.html", "pipeline/_deal_form.html", **context), 422 if errors else 200


@bp.route("/customers/<int:customer_id>/deals", methods=["POST"])
@login_required
def create_for_customer(customer_id):
    """The quick form on the customer page: name, amount, close date (and the deal's custom fields)."""
    customer = found_or_404(get_visible_customer(current_user, customer_id))
    try:
        data = {**request.form.to_dict(), "custom": form_values("deal", request.form)}
        deal = create_deal(data, actor=current_user, customer=customer)
    except DealError as err:
        for messages in err.errors.values():
            for message in messages:
                flash(message, "error")
    else:
        flash(_("Deal %(name)s has been added to the board.", name=deal.name), "success")
    return redirect(url_for("customers.detail", customer_id=customer.id))


@bp.route("/deals/<int:deal_id>")
@login_required
def deal_detail(deal_id):
    deal = visible_deal_or_404(deal_id)
    return render("pipeline/deal.html", "pipeline/_deal_detail.html", **deal_pages.detail_context(deal))


@bp.route("/deals/<int:deal_id>/summary")
@login_required
def deal_summary(deal_id):
    return render_template("pipeline/_deal_summary.html", **deal_pages.detail_context(visible_deal_or_404(deal_id)))


@bp.route("/deals/<int:deal_id>/edit", methods=["GET", "POST"])
@login_required
def edit_deal(deal_id):
    """The deal as a form in place of its summary; saving asks for a reason and checks nobody changed it since."""
    deal = visible_deal_or_404(deal_id)
    form = DealForm(formdata=request.form if request.method == "POST" else None)
    errors = {}
    if request.method == "GET":
        deal_pages.prefill_edit(form, deal)
    elif not form.change_product_rows(request.form.get("product_action", "")):
        data = form.deal_data(form_values("deal", request.form))
        data.pop("stage_id", None)
        version = int(form.version.data) if (form.version.data or "").isdigit() else None
        try:
            changed = update_deal(deal, data, actor=current_user, reason=form.reason.data, version=version,
                                  partial=False)
        except DealError as err:
            errors = err.errors
        else:
            message = _("Changes saved.") if changed else _("Nothing changed.")
            if is_htmx():
                return render_template("pipeline/_deal_saved.html", message=message, **deal_pages.detail_context(deal))
            flash(message, "success")
            return redirect_to(url_for("pipeline.deal_detail", deal_id=deal.id))
    context = deal_pages.form_context(form, errors=errors, deal=deal,
                                      custom=form_values("deal", request.form) if request.method == "POST"
                                      else dict(deal.custom or {}))
    return render("pipeline/deal_edit.html", "pipeline/_deal_edit.html", **context), 422 if errors else 200


@bp.route("/deals/<int:deal_id>/stage", methods=["POST"])
@login_required
def change_stage(deal_id):
    """Move from the deal page: the same rules as a drag on the board.

    The stage bar's buttons send ``stage_id``; the "another pipeline" button
    sends ``stage_id=other`` with the choice in ``other_stage_id``. Each lost
    stage has its own reason box, so the one filled in is the reason.
    """
    deal = visible_deal_or_404(deal_id)
    field = "other_stage_id" if request.form.get("stage_id") == "other" else "stage_id"
    reason = next((text for text in request.form.getlist("lost_reason") if text.strip()), None)
    try:
        move_deal(current_user, deal.id, request.form.get(field, type=int), lost_reason=reason,
                  version=request.form.get("version", type=int))
    except (StaleMove, DealError) as err:
        for messages in err.errors.values():
            for message in messages:
                flash(message, "error")
    else:
        flash(_("Stage changed."), "success")
    return redirect_to(url_for("pipeline.deal_detail", deal_id=deal.id))


@bp.route("/deals/customer-choices")
@login_required
def customer_choices():
    """The customer select of the add form, narrowed to what was typed."""
    return render_template("pipeline/_customer_choices.html",
                           choices=deal_pages.customer_choices(request.args.get("customer_q", "")))

