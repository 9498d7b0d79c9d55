"""Pool settings (C11): company settings managers add pools and choose their admins; a pool's admin sets its
rules, limits and members. One form, read into the API's shape and judged by the same service.
"""
from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm_saas.blueprints.customers.services import codes
from crm_saas.blueprints.pools.blueprint import bp, editable_pool_or_404
from crm_saas.blueprints.pools.services import PoolError, may_manage_pools, member_people
from crm_saas.blueprints.pools.services.rules import CLOCKS, DEFAULT_RULES, rules_of
from crm_saas.blueprints.pools.services.settings import create_pool, update_pool
from crm_saas.core.htmx import redirect_to
from crm_saas.core.staff import picked_person
from crm_saas.core.users import User
from crm_saas.extensions import db

LIMITS = ("claim_per_day", "max_owned", "reclaim_wait_days")


def form_data(form, *, with_admin):
    """The settings form as the API's body: ``rules`` with ``per_type``, members with their subtree flag."""
    rules = {clock: form.get(clock, "").strip() or None for clock in CLOCKS}
    rules["per_type"] = {kind: {clock: form.get(f"{kind}-{clock}", "").strip() for clock in CLOCKS
                                if form.get(f"{kind}-{clock}", "").strip()} for kind in codes.CUSTOMER_TYPES}
    rules["per_type"] = {kind: days for kind, days in rules["per_type"].items() if days}
    rules["exempt_closed"] = form.get("exempt_closed") == "y"
    rules["exempt_open_deal"] = form.get("exempt_open_deal") == "y"
    rules["warn_days"] = form.get("warn_days", "").strip() or 0
    rules["max_extensions"] = form.get("max_extensions", "").strip() or 0
    data = {"name": form.get("name", ""), "rules": rules, **{key: form.get(key, "").strip() or None for key in LIMITS}}
    data["reclaim_wait_days"] = data["reclaim_wait_days"] or 0
    subtree = set(form.getlist("subtree"))
    members = [{"user_id": int(i), "subtree": i in subtree} for i in form.getlist("member") if i.isdigit()]
    new = form.get("new_member", "")
    if new.isdigit():
        members.append({"user_id": int(new), "subtree": form.get("new_member_subtree") == "y"})
    data["members"] = members
    if with_admin:
        data["admin_id"] = int(form["admin_id"]) if form.get("admin_id", "").isdigit() else None
    return data


def _page(pool, status=200, errors=None, values=None):
    """The form: the stored pool's settings, or what was just posted beside its messages."""
    rules = rules_of(pool) if pool else dict(DEFAULT_RULES)
    values = values or {}
    members = member_people(pool) if pool is not None and not values else []
    if values:
        rules = {**rules, **{k: v for k, v in values.get("rules", {}).items()}}
        members = values.get("people", [])
    admin_id = values.get("admin_id", pool.admin_id if pool else None)
    return render_template(
        "pools/settings.html", pool=pool, rules=rules, members=members, errors=errors or {}, codes=codes,
        clocks=CLOCKS, values=values, may_choose_admin=may_manage_pools(current_user),
        admin=picked_person(current_user, "active", admin_id),
    ), status


def _people(data):
    """The members as the form shows them again after a refusal: ``[(user, subtree)]``."""
    found = []
    for member in data.get("members", []):
        user = db.session.get(User, member["user_id"])
        if user is not None:
            found.append((user, member["subtree"]))
    return found


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if not may_manage_pools(current_user):
        abort(403)
    if request.method == "GET":
        return _page(None)
    data = form_data(request.form, with_admin=True)
    try:
        pool = create_pool(data, actor=current_user)
    except PoolError as err:
        return _page(None, 422, err.errors, {**data, "people": _people(data)})
    flash(_("Pool %(name)s added.", name=pool.name), "success")
    return redirect_to(url_for("pools.pool", pool_id=pool.id))


@bp.route("/<int:pool_id>/settings", methods=["GET", "POST"])
@login_required
def settings(pool_id):
    pool = editable_pool_or_404(pool_id)
    if request.method == "GET":
        return _page(pool)
    data = form_data(request.form, with_admin=may_manage_pools(current_user))
    if pool.is_default:
        data.pop("members")
    try:
        update_pool(pool, data, actor=current_user)
    except PoolError as err:
        return _page(pool, 422, err.errors, {**data, "people": _people(data)})
    flash(_("Settings of %(name)s saved.", name=pool.name), "success")
    return redirect_to(url_for("pools.settings", pool_id=pool.id))
