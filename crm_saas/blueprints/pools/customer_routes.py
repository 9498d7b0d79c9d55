"""From a customer's page (C11): give it back to a pool with a reason, or ask for more days before the rules do.

Both are forms in a dialog on the customer header (``pools/_customer_actions.html``);
a refused one comes back into the dialog with its messages, a done one
navigates (a released customer is usually no longer the viewer's to see).
"""
from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm_saas.blueprints.customers.services import get_visible_customer
from crm_saas.blueprints.pools.blueprint import bp
from crm_saas.blueprints.pools.display import pool_panel
from crm_saas.blueprints.pools.services import PoolError
from crm_saas.blueprints.pools.services.moves import may_release, release_customers
from crm_saas.blueprints.pools.services.protection import request_protection
from crm_saas.core.htmx import redirect_to, render
from crm_saas.core.views import found_or_404


def _customer(customer_id):
    return found_or_404(get_visible_customer(current_user, customer_id))


@bp.route("/panel/<int:customer_id>")
@login_required
def panel(customer_id):
    """The pool's part of a customer's header: its return date, release and protection (pools/_panel.html)."""
    customer = _customer(customer_id)
    return render_template("pools/_panel.html", customer=customer, panel=pool_panel(customer))


@bp.route("/release/<int:customer_id>", methods=["GET", "POST"])
@login_required
def release(customer_id):
    """The release form (GET, e.g. without JavaScript) and its answer; a reason is required."""
    customer = _customer(customer_id)
    if not may_release(current_user, customer):
        abort(403)
    values = {"reason": request.form.get("reason", ""), "pool_id": request.form.get("pool_id", "")}
    errors = {}
    if request.method == "POST":
        pool_id = int(values["pool_id"]) if values["pool_id"].isdigit() else None
        try:
            release_customers([customer.id], actor=current_user, reason=values["reason"], pool_id=pool_id)
        except PoolError as err:
            errors = err.errors
        else:
            flash(_("%(name)s is back in the pool.", name=customer.name), "success")
            return redirect_to(url_for("customers.index"))
    return render("pools/release.html", "pools/_release.html", customer=customer, panel=pool_panel(customer),
                  values=values, errors=errors), 422 if errors else 200


@bp.route("/protect/<int:customer_id>", methods=["GET", "POST"])
@login_required
def protect(customer_id):
    """The owner asks for more days; the request waits in the approval queue of someone above them."""
    customer = _customer(customer_id)
    if customer.owner_id != current_user.id:
        abort(403)
    values = {"days": request.form.get("days", ""), "reason": request.form.get("reason", "")}
    errors = {}
    if request.method == "POST":
        try:
            protection = request_protection(customer, values["days"], values["reason"], actor=current_user)
        except PoolError as err:
            errors = err.errors
        else:
            flash(_("Granted: %(num)s more days.", num=protection.days) if protection.status == "approved"
                  else _("Your request for %(num)s more days waits for approval.", num=protection.days), "success")
            return redirect_to(url_for("customers.detail", customer_id=customer.id))
    return render("pools/protect.html", "pools/_protect.html", customer=customer, panel=pool_panel(customer),
                  values=values, errors=errors), 422 if errors else 200
