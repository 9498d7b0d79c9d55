"""The customers blueprint and what its views share: finding a visible customer, building the form page.

``routes.py`` (list, add, detail, edit), ``manage_routes.py`` (transfer,
recycle bin) and ``duplicate_routes.py`` (duplicates, merge) hang their
views on ``bp``.
"""
from flask import Blueprint, Response, render_template
from flask_babel import gettext as _
from flask_login import current_user

from crm_saas.blueprints.custom_fields.services import definitions
from crm_saas.blueprints.customers.services import assignable_owners, codes, get_visible_customer, tag_suggestions
from crm_saas.blueprints.customers.services.shares import AccessRefused, require_access
from crm_saas.core.campaign_refs import campaign_options
from crm_saas.core.htmx import is_htmx
from crm_saas.core.permissions import module_gate
from crm_saas.core.settings import get_setting
from crm_saas.core.views import found_or_404
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("customers", __name__, url_prefix="/customers"), TENANT_SCOPE)
bp.before_request(module_gate("customers"))


def visible_or_404(customer_id, *, deleted=False):
    """The customer, or 404 when it does not exist or is hidden: never confirm what the viewer cannot see."""
    return found_or_404(get_visible_customer(current_user, customer_id, deleted=deleted))


def customer_for(customer_id, needed):
    """The visible customer if the viewer's access reaches ``needed`` ("edit" or "full"); 404, else 403 saying why.

    A shared colleague reads (``read``) or also edits (``edit``); transfer and
    delete stay with the hierarchy (``full``): ``shares.access_of``.
    """
    customer = visible_or_404(customer_id)
    require_access(current_user, customer, needed)
    return customer


@bp.errorhandler(AccessRefused)
def access_refused(error):
    """A shared colleague's refused edit: a 403 that says why (a toast for htmx), rather than the generic page."""
    message = " ".join(error.messages)
    if is_htmx():
        return Response(message, status=403, mimetype="text/plain")
    return render_template("errors/error.html", code=403, title=_("Not allowed"), message=message), 403


def form_context(form, *, custom=None, errors=None, customer=None):
    """What customers/_form.html needs beside the form: custom fields, region, tags, duplicate warnings."""
    errors = errors or {}
    custom_errors, region_errors, leftover = form.show_errors(errors)
    if customer is None:
        owners = [(u.id, u.name) for u in assignable_owners(current_user)]
        form.offer(categories=get_setting("customer_categories"), owners=owners, size=form.size.data,
                   campaigns=campaign_options(form.campaign_id.data))
        if not form.owner_id.data:
            form.owner_id.data = current_user.id
    else:
        form.offer(categories=get_setting("customer_categories"), size=form.size.data,
                   campaigns=campaign_options(form.campaign_id.data))
    return dict(
        form=form, customer=customer, codes=codes, definitions=definitions("customer"),
        custom_values=custom if custom is not None else {}, custom_errors=custom_errors,
        region={"province": form.province.data, "city": form.city.data, "district": form.district.data},
        region_errors=region_errors, leftover=leftover, tag_options=tag_suggestions(),
    )
