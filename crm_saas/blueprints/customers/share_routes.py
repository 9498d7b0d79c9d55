"""The share panel of a customer's page (I2): who else sees it, how and until when; add and remove shares.

One self-replacing partial (``customers/_shares.html``) answers every view
here. Only the owner, those above the owner and admins work it
(``shares.may_share``); a colleague may drop a share made to them.
"""
from flask import flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm_saas.blueprints.customers.blueprint import bp, visible_or_404
from crm_saas.blueprints.customers.services.shares import (
    ACCESS_LABELS,
    AccessRefused,
    ShareError,
    company_today,
    get_share,
    is_live,
    may_share,
    share_customer,
    share_refusal,
    shares_of,
    unshare,
)
from crm_saas.blueprints.customers.services.transfer import colleagues
from crm_saas.core.htmx import redirect_to
from crm_saas.core.views import found_or_404


def _refuse_unless_sharer(customer):
    if not may_share(current_user, customer):
        raise AccessRefused({"id": [share_refusal(customer)]})


def shares_context(customer, *, values=None, errors=None, message=None):
    """What the panel shows: the shares (live first), the people one may pick, the access labels."""
    today = company_today()
    shares = sorted(shares_of(customer), key=lambda s: not is_live(s, today))
    return dict(shares=shares, today=today, live=is_live, access_labels=ACCESS_LABELS,
                people=[p for p in colleagues() if p.id not in (customer.owner_id, current_user.id)],
                share_values=values or {}, share_errors=errors or {}, share_message=message)


def _panel(customer, status=200, **extra):
    return render_template("customers/_shares.html", customer=customer, **shares_context(customer, **extra)), status


@bp.route("/<int:customer_id>/shares")
@login_required
def shares(customer_id):
    customer = visible_or_404(customer_id)
    _refuse_unless_sharer(customer)
    return _panel(customer)


@bp.route("/<int:customer_id>/shares", methods=["POST"])
@login_required
def add_share(customer_id):
    customer = visible_or_404(customer_id)
    _refuse_unless_sharer(customer)
    values = {key: request.form.get(key, "").strip() for key in ("user_id", "access", "until")}
    user_id = int(values["user_id"]) if values["user_id"].isdigit() else None
    try:
        share = share_customer(customer, user_id, values["access"] or "read", values["until"] or None,
                               actor=current_user)
    except ShareError as err:
        return _panel(customer, 422, values=values, errors=err.errors)
    return _panel(customer, message=_("%(customer)s is now shared with %(name)s.", customer=customer.name,
                                      name=share.user.name))


@bp.route("/<int:customer_id>/shares/<int:share_id>/delete", methods=["POST"])
@login_required
def remove_share(customer_id, share_id):
    customer = visible_or_404(customer_id)
    share = found_or_404(get_share(customer, share_id))
    name = share.user.name
    try:
        unshare(customer, share, actor=current_user)
    except ShareError as err:
        raise AccessRefused(err.errors) from err
    if not may_share(current_user, customer):  # the colleague gave theirs back: the customer is out of sight
        flash(_("%(customer)s is no longer shared with you.", customer=customer.name), "success")
        return redirect_to(url_for("customers.index"))
    return _panel(customer, message=_("%(customer)s is no longer shared with %(name)s.", customer=customer.name,
                                      name=name))
