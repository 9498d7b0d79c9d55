"""The login log and the operation log (J1), for those who manage staff; filter by person and dates."""

from flask import Blueprint, request
from flask_babel import get_timezone
from flask_babel import gettext as _

from crm_saas.blueprints.audit import display as labels
from crm_saas.blueprints.audit.forms import LogFilterForm
from crm_saas.blueprints.audit.services import PER_PAGE
from crm_saas.blueprints.audit.services import logins as login_events
from crm_saas.blueprints.audit.services import operations as operation_entries
from crm_saas.core.htmx import render
from crm_saas.core.permissions import permission_required
from crm_saas.core.queries import page_number
from crm_saas.core.staff import list_staff
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("audit", __name__, url_prefix="/audit"), TENANT_SCOPE)


def _filters():
    """The filter form read from the query string, the service's keyword arguments, and everyone's names.

    Departed people stay in the list: their past logins and changes are what
    an admin most often needs to look up.
    """
    staff = list_staff()
    form = LogFilterForm(request.args)
    form.user_id.choices = [(0, _("Everyone"))] + [
        (u.id, u.name if u.active else _("%(name)s (departed)", name=u.name)) for u in staff
    ]
    if not form.validate():
        return form, None, {u.id: u.name for u in staff}
    query = {"user_id": form.user_id.data or None, "date_from": form.date_from.data, "date_to": form.date_to.data,
             "tz": get_timezone(), "page": page_number(request.args.get("page", "1"))}
    return form, query, {u.id: u.name for u in staff}


def _log_page(full, fragment, fetch):
    form, query, names = _filters()
    rows, total = fetch(**query) if query else ([], 0)
    page = query["page"] if query else 1
    # The pager's links keep the filters: another page of the same results.
    filters = {key: request.args[key] for key in ("user_id", "date_from", "date_to") if request.args.get(key)}
    return render(full, fragment, form=form, rows=rows, total=total, page=page, per_page=PER_PAGE,
                  names=names, labels=labels, filters=filters, endpoint=request.endpoint)


@bp.route("/logins")
@permission_required("manage_staff")
def logins():
    return _log_page("audit/logins.html", "audit/_logins.html", login_events)


@bp.route("/operations")
@permission_required("manage_staff")
def operations():
    return _log_page("audit/operations.html", "audit/_operations.html", operation_entries)
