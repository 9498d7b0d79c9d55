"""Duplicates (C10): the page of likely duplicates, and merging two customers side by side."""
from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm_saas.blueprints.custom_fields.services import definitions
from crm_saas.blueprints.customers.blueprint import bp, visible_or_404
from crm_saas.blueprints.customers.services import codes
from crm_saas.blueprints.customers.services.changes import SCALAR_FIELDS
from crm_saas.blueprints.customers.services.duplicates import (
    MergeError,
    duplicate_groups,
    merge_customers,
    merge_errors,
)
from crm_saas.core.htmx import redirect_to, render


@bp.route("/duplicates")
@login_required
def duplicates():
    return render("customers/duplicates.html", "customers/_duplicates.html", groups=duplicate_groups(current_user),
                  codes=codes)


@bp.route("/merge", methods=["GET", "POST"])
@login_required
def merge():
    """``?keep=<id>&other=<id>``: both side by side, a choice per differing field, then one merge."""
    keep = visible_or_404(request.values.get("keep", type=int) or 0)
    other = visible_or_404(request.values.get("other", type=int) or 0)
    errors = merge_errors(keep, other, current_user)
    if request.method == "POST" and not errors:
        take = [f for f in request.form if request.form[f] == "other"]
        try:
            merge_customers(keep, other, actor=current_user, take=take, reason=request.form.get("reason"))
        except MergeError as err:
            errors = err.errors
        else:
            flash(_("%(other)s has been merged into %(keep)s.", other=other.number, keep=keep.number), "success")
            return redirect_to(url_for("customers.detail", customer_id=keep.id))
    fields = [f for f in SCALAR_FIELDS if getattr(keep, f) != getattr(other, f) and getattr(other, f) is not None]
    custom = [d for d in definitions("customer")
              if (other.custom or {}).get(d.key) not in (None, (keep.custom or {}).get(d.key))]
    return render("customers/merge.html", "customers/_merge.html", keep=keep, other=other, fields=fields,
                  custom=custom, errors=errors, codes=codes), 422 if errors and request.method == "POST" else 200
