"""Webhook pages for holders of ``manage_settings``: the endpoints, adding and editing one, its delivery log.

The secret is shown once, on the page answering the form that made it (or
the "new secret" button), never flashed (a flash travels in the session
cookie) and never shown again. Sending a test event and retrying a delivery
queue the worker at once; with Redis away the minute's sweep does it.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm_saas.blueprints.webhooks import display
from crm_saas.blueprints.webhooks.blueprint import bp
from crm_saas.blueprints.webhooks.services import MAX_ATTEMPTS, WebhookError, disable_after
from crm_saas.blueprints.webhooks.services.addresses import private_allowed
from crm_saas.blueprints.webhooks.services.endpoints import (
    create_endpoint,
    delete_endpoint,
    get_endpoint,
    list_endpoints,
    retry_delivery,
    rotate_secret,
    send_ping,
    set_private_allowed,
    update_endpoint,
)
from crm_saas.blueprints.webhooks.services.log import deliveries, get_delivery, latest
from crm_saas.blueprints.webhooks.services.queueing import wake
from crm_saas.core.outbox import EVENTS
from crm_saas.core.permissions import permission_required
from crm_saas.core.views import found_or_404

PER_PAGE = 50


def _endpoint(webhook_id):
    return found_or_404(get_endpoint(webhook_id))


def _labels():
    return {"event_label": display.event_label, "outcome": display.outcome_label,
            "statuses": display.STATUS_LABELS, "status_classes": display.STATUS_CLASSES,
            "reasons": display.REASON_LABELS}


@bp.route("/")
@permission_required("manage_settings")
def index():
    endpoints = list_endpoints()
    return render_template("webhooks/index.html", endpoints=endpoints, last=latest([e.id for e in endpoints]),
                           turned_off=[e for e in endpoints if not e.active and e.disabled_reason == "failures"],
                           allow_private=private_allowed(), may_allow_private=current_user.role == "admin",
                           disable_after=disable_after(), all_events=len(EVENTS), **_labels())


def _form_data(form):
    return {"url": form.get("url", ""), "description": form.get("description", ""),
            "events": form.getlist("events")}


def _form(endpoint, status=200, errors=None, values=None):
    values = values or ({"url": endpoint.url, "description": endpoint.description or "", "events": endpoint.events}
                        if endpoint else {"url": "", "description": "", "events": []})
    return render_template("webhooks/form.html", endpoint=endpoint, values=values, errors=errors or {},
                           events=EVENTS, event_label=display.event_label), status


def _secret_page(endpoint, secret, *, created):
    return render_template("webhooks/secret.html", endpoint=endpoint, secret=secret, created=created)


@bp.route("/new", methods=["GET", "POST"])
@permission_required("manage_settings")
def new():
    if request.method == "GET":
        return _form(None)
    data = _form_data(request.form)
    try:
        endpoint, secret = create_endpoint(data, actor=current_user)
    except WebhookError as err:
        return _form(None, 422, err.errors, data)
    return _secret_page(endpoint, secret, created=True)


@bp.route("/<int:webhook_id>/edit", methods=["GET", "POST"])
@permission_required("manage_settings")
def edit(webhook_id):
    endpoint = _endpoint(webhook_id)
    if request.method == "GET":
        return _form(endpoint)
    data = _form_data(request.form)
    try:
        update_endpoint(endpoint, data, actor=current_user)
    except WebhookError as err:
        return _form(endpoint, 422, err.errors, data)
    flash(_("Endpoint %(url)s saved.", url=endpoint.url), "success")
    return redirect(url_for("webhooks.index"))


@bp.route("/<int:webhook_id>/secret", methods=["POST"])
@permission_required("manage_settings")
def new_secret(webhook_id):
    endpoint = _endpoint(webhook_id)
    return _secret_page(endpoint, rotate_secret(endpoint, actor=current_user), created=False)


@bp.route("/<int:webhook_id>/enable", methods=["POST"])
@permission_required("manage_settings")
def enable(webhook_id):
    endpoint = _endpoint(webhook_id)
    update_endpoint(endpoint, {"active": True}, actor=current_user)
    wake()  # what waited for it goes now
    flash(_("Endpoint %(url)s is on again.", url=endpoint.url), "success")
    return redirect(url_for("webhooks.index"))


@bp.route("/<int:webhook_id>/disable", methods=["POST"])
@permission_required("manage_settings")
def disable(webhook_id):
    endpoint = _endpoint(webhook_id)
    update_endpoint(endpoint, {"active": False}, actor=current_user)
    flash(_("Endpoint %(url)s is off: it receives no new events.", url=endpoint.url), "success")
    return redirect(url_for("webhooks.index"))


@bp.route("/<int:webhook_id>/delete", methods=["POST"])
@permission_required("manage_settings")
def delete(webhook_id):
    endpoint = _endpoint(webhook_id)
    url = endpoint.url
    delete_endpoint(endpoint, actor=current_user)
    flash(_("Endpoint %(url)s deleted.", url=url), "success")
    return redirect(url_for("webhooks.index"))


@bp.route("/<int:webhook_id>/ping", methods=["POST"])
@permission_required("manage_settings")
def ping(webhook_id):
    endpoint = _endpoint(webhook_id)
    if not endpoint.active:
        flash(_("Turn the endpoint on first: a test event goes to active endpoints only."), "error")
        return redirect(url_for("webhooks.index"))
    send_ping(endpoint, actor=current_user)
    wake()
    flash(_("A test event is on its way; its result shows below in a moment."), "success")
    return redirect(url_for("webhooks.log", webhook_id=endpoint.id))


@bp.route("/<int:webhook_id>")
@permission_required("manage_settings")
def log(webhook_id):
    endpoint = _endpoint(webhook_id)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, total = deliveries(endpoint, page=page, per_page=PER_PAGE)
    return render_template("webhooks/log.html", endpoint=endpoint, rows=rows, total=total, page=page,
                           per_page=PER_PAGE, max_attempts=MAX_ATTEMPTS, **_labels())


@bp.route("/<int:webhook_id>/deliveries/<int:delivery_id>/retry", methods=["POST"])
@permission_required("manage_settings")
def retry(webhook_id, delivery_id):
    endpoint = _endpoint(webhook_id)
    if retry_delivery(found_or_404(get_delivery(endpoint, delivery_id))):
        wake()
        flash(_("The delivery will be tried again in a moment."), "success")
    return redirect(url_for("webhooks.log", webhook_id=endpoint.id))


@bp.route("/private", methods=["POST"])
@permission_required("manage_settings")
def private():
    """Only an admin lets webhooks reach private addresses: it opens the company's integrations to its LAN."""
    if current_user.role != "admin":
        abort(403)
    allowed = request.form.get("allow_private") == "y"
    if set_private_allowed(allowed, actor=current_user):
        flash(_("Webhooks may now reach private addresses.") if allowed
              else _("Webhooks reach public addresses only."), "success")
    return redirect(url_for("webhooks.index"))
