"""Service pages (F1): the queue, a new request, the pickers of its form, and a customer's requests (C13).

A request's own page and what is done on it are in ``request_routes.py``;
the service settings in ``settings_routes.py``; all hang on the same blueprint.
"""
from datetime import datetime

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm_saas.blueprints.service import pages, request_routes, settings_routes  # noqa: F401 (on bp)
from crm_saas.blueprints.service.blueprint import bp
from crm_saas.blueprints.service.services import ServiceError, codes
from crm_saas.blueprints.service.services.checks import pick_service_staff
from crm_saas.blueprints.service.services.queue import customer_requests
from crm_saas.blueprints.service.services.requests import create_request
from crm_saas.core.htmx import redirect_to, render
from crm_saas.core.templating import when

__all__ = ["bp"]


@bp.app_template_global("customer_service_requests")
def visible_customer_requests(customer):
    """The customer page's service section (service/_customer_requests.html) loads its own requests."""
    return customer_requests(customer, current_user)


@bp.app_template_global("service_label")
def service_label(kind, code):
    """A code's label on any page: ``service_label('status', req.status)``."""
    lists = {"type": codes.TYPES, "priority": codes.PRIORITIES, "channel": codes.CHANNELS, "status": codes.STATUSES}
    return codes.label(lists[kind], code)


@bp.app_template_filter("iso_when")
def iso_when(value):
    """A time kept as ISO text (a timeline entry's details) as ``when`` shows stored times."""
    try:
        return when(datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return value or ""


@bp.route("/")
@login_required
def queue():
    return render("service/queue.html", "service/_queue_results.html", **pages.queue_context(request.args))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if request.method == "GET":
        return render_template("service/new.html", **pages.form_context(request.args.to_dict()))
    values = request.form.to_dict()
    try:
        req = create_request(values, actor=current_user)
    except ServiceError as err:
        return render("service/new.html", "service/_form.html", **pages.form_context(values, err.errors)), 422
    return redirect_to(url_for("service.detail", request_id=req.id))


@bp.route("/customer-choices")
@login_required
def customer_choices():
    """The form's customer combobox, narrowed to what was typed."""
    return render_template("service/_customer_choices.html",
                           choices=pages.customer_choices(request.args.get("customer_q", "")))


@bp.route("/customer-fields")
@login_required
def customer_fields():
    """The contact and deal selects for the customer just chosen in the form."""
    context = pages.form_context({"customer_id": request.args.get("customer_id", "")})
    return render_template("service/_customer_fields.html", **context)


@bp.route("/assignee-choices")
@login_required
def assignee_choices():
    """An assignee picker's matches: active colleagues who work with service requests, whoever they report to."""
    return render_template("staff/_choices.html", people=pick_service_staff(request.args.get("q", "")),
                           target="service-assignee-options", any_label=_("Nobody (back to the queue)"),
                           teams=False, label=_("Assignee"))
