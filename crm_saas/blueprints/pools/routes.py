"""Pool pages (C11): the pools one is in, a pool's customers with the customer list's search and filters,
claiming (one, or the ticked ones up to the limit), assigning, one pooled customer.

Settings are in ``settings_routes.py``; release and protection from a
customer's page in ``customer_routes.py``; all hang on the same blueprint.
"""
from flask import abort, flash, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required

from crm_saas.blueprints.custom_fields.services import definitions
from crm_saas.blueprints.customers.pages import SORT_LABELS as LIST_SORT_LABELS
from crm_saas.blueprints.customers.services import codes
from crm_saas.blueprints.customers.services.changes import changes_page
from crm_saas.blueprints.customers.services.search import EXACT, PER_PAGE, read_filters
from crm_saas.blueprints.pools import customer_routes, display, settings_routes  # noqa: F401 (on bp)
from crm_saas.blueprints.pools.blueprint import bp, pool_or_404
from crm_saas.blueprints.pools.display import PoolRowKit
from crm_saas.blueprints.pools.services import (
    PoolConflict,
    PoolError,
    is_member,
    may_assign,
    may_edit,
    may_manage_pools,
    pool_counts,
    pools_for,
)
from crm_saas.blueprints.pools.services.listing import DEFAULT_POOL_SORT, POOL_SORTS, pool_customers, pooled_customer
from crm_saas.blueprints.pools.services.moves import allowance, assign_customers, claim_customers
from crm_saas.blueprints.pools.services.rules import rules_of
from crm_saas.core.htmx import is_htmx, redirect_to, render
from crm_saas.core.settings import get_setting
from crm_saas.core.views import found_or_404

__all__ = ["bp"]
RESULTS = "pools/_results.html"
SORT_LABELS = {
    "-pool_entered_at": _l("Newest in the pool first"), "pool_entered_at": _l("Longest in the pool first"),
    **{key: label for key, label in LIST_SORT_LABELS.items() if key in POOL_SORTS},
}


@bp.route("/")
@login_required
def index():
    pools = pools_for(current_user)
    return render_template("pools/index.html", pools=pools, counts=pool_counts(pools),
                           may_add=may_manage_pools(current_user), rules_of=rules_of)


def list_context(pool, args, **extra):
    """Everything a pool's page and its results partial show."""
    q, filters, _sort, page = read_filters(args)
    sort = args.get("sort") if args.get("sort") in POOL_SORTS else DEFAULT_POOL_SORT
    filters.pop("owner_id", None)
    filters.pop("status", None)
    rows, total = pool_customers(pool, current_user, q=q, filters=filters, sort=sort, page=page)
    params = {key: [v for v in args.getlist(key) if v] for key in args
              if key in ("q", "sort", "tag", *EXACT) or key.startswith("cf-")}
    params = {key: values for key, values in params.items() if values}
    left, binding = allowance(pool, current_user)
    return dict(
        pool=pool, customers=rows, total=total, q=q, filters=filters, sort=sort, page=page, per_page=PER_PAGE,
        params=params, filtered=bool(q or filters), codes=codes, definitions=definitions("customer"),
        categories=get_setting("customer_categories"), sort_labels=SORT_LABELS, kit=PoolRowKit(current_user),
        member=is_member(current_user, pool), assigner=may_assign(current_user, pool),
        editor=may_edit(current_user, pool), left=left, binding=binding, rules=rules_of(pool), **extra,
    )


@bp.route("/<int:pool_id>")
@login_required
def pool(pool_id):
    found = pool_or_404(pool_id)
    return render("pools/pool.html", RESULTS, **list_context(found, request.args))


def _after_action(pool, message, ok):
    """The list again with what happened (htmx), or back to the page with the message."""
    if is_htmx():
        return render_template(RESULTS, **list_context(pool, request.form, message=message, ok=ok)), \
            200 if ok else 409
    flash(message, "success" if ok else "error")
    return redirect_to(url_for("pools.pool", pool_id=pool.id))


@bp.route("/<int:pool_id>/claim", methods=["POST"])
@login_required
def claim(pool_id):
    """Claim one customer (its row's button) or the ticked ones: up to the limit, saying what stopped the rest."""
    found = pool_or_404(pool_id)
    if not is_member(current_user, found):
        abort(403)
    try:
        result = claim_customers(found, request.form.getlist("ids"), actor=current_user)
    except (PoolConflict, PoolError) as err:
        return _after_action(found, " ".join(err.messages), False)
    return _after_action(found, result.message, True)


@bp.route("/<int:pool_id>/assign", methods=["POST"])
@login_required
def assign(pool_id):
    found = pool_or_404(pool_id)
    if not may_assign(current_user, found):
        abort(403)
    to = request.form.get("to", "")
    try:
        taken = assign_customers(found, request.form.getlist("ids"), int(to) if to.isdigit() else None,
                                 actor=current_user)
    except (PoolConflict, PoolError) as err:
        return _after_action(found, " ".join(err.messages), False)
    message = ngettext("%(num)d customer assigned.", "%(num)d customers assigned.", len(taken))
    return _after_action(found, message, True)


@bp.route("/<int:pool_id>/customers/<int:customer_id>")
@login_required
def customer(pool_id, customer_id):
    """One pooled customer as anyone in the pool sees it: its facts, masked contacts, its history."""
    found = pool_or_404(pool_id)
    pooled = found_or_404(pooled_customer(found, customer_id))
    changes, changes_total = changes_page(pooled.id)
    return render_template("pools/customer.html", pool=found, customer=pooled, codes=codes,
                           definitions=definitions("customer"), changes=changes, changes_total=changes_total,
                           member=is_member(current_user, found), kit=PoolRowKit(current_user))
