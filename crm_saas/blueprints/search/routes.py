"""``GET /search?q=``: the top bar's grouped results, as a partial for htmx or a page of its own."""
from flask import Blueprint, request
from flask_login import current_user, login_required

from crm_saas.blueprints.search.services import search_everything
from crm_saas.core.htmx import render
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("search", __name__), TENANT_SCOPE)

Q_MAX = 100


@bp.route("/search")
@login_required
def search():
    q = (request.args.get("q") or "")[:Q_MAX]
    return render("search/index.html", "search/_results.html", found=search_everything(current_user, q))
