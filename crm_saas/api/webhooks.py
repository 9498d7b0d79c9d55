"""Webhook endpoints and their delivery log (API.md ``webhooks``), for holders of ``manage_settings``.

Each delivery is a POST of ``{"event", "occurred_at", "data"}`` with the
headers ``X-CRM-Event``, ``X-CRM-Timestamp`` (unix seconds),
``X-CRM-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed with
the secret>`` and ``X-CRM-Delivery`` (the delivery's id: the same on every
retry, for receivers to skip what they already have). Any 2xx answer counts
as delivered; anything else is retried with growing delays, and an endpoint
that keeps failing is turned off. The secret is write-only: sent on POST or
PATCH, or made when absent and returned once, in the 201 answer of the POST.
"""
from functools import wraps

import marshmallow as ma
from flask_login import current_user
from marshmallow import fields

from crm_saas.api import api_blueprint
from crm_saas.api.errors import api_abort
from crm_saas.api.paging import PageArgs, page, page_schema
from crm_saas.api.schemas import InputSchema
from crm_saas.blueprints.webhooks.services import MAX_ATTEMPTS, REASONS, STATUSES
from crm_saas.blueprints.webhooks.services.endpoints import (
    create_endpoint,
    delete_endpoint,
    endpoint_data,
    get_endpoint,
    list_endpoints,
    update_endpoint,
)
from crm_saas.blueprints.webhooks.services.log import deliveries, delivery_data
from crm_saas.blueprints.webhooks.services.sending import ERRORS
from crm_saas.core.outbox import EVENTS
from crm_saas.core.permissions import can
from crm_saas.core.views import found_or_404

bp = api_blueprint("api_webhooks", __name__, "Webhook endpoints and their delivery log.")


class WebhookSchema(ma.Schema):
    id = fields.Integer()
    url = fields.String(metadata={"description": "An http(s) address receiving the events."})
    description = fields.String(allow_none=True)
    events = fields.List(fields.String(metadata={"enum": list(EVENTS)}))
    active = fields.Boolean(metadata={"description": "False once turned off, by hand or after repeated failures."})
    failures = fields.Integer(metadata={"description": "Failed attempts in a row; a delivered one resets it."})
    disabled_at = fields.DateTime(allow_none=True)
    disabled_reason = fields.String(allow_none=True, metadata={
        "enum": [*REASONS, None], "description": "failures: turned off after repeated failures; manual: by hand."})
    created_at = fields.DateTime()


class WebhookCreatedSchema(WebhookSchema):
    secret = fields.String(metadata={"description": "The signing secret: in this answer only, never again."})


class WebhookInputSchema(InputSchema):
    """Any subset on PATCH; the service names every bad or missing field in one 422."""

    url = fields.String(allow_none=True, metadata={
        "description": "Required on creation: http:// or https://, resolving to a public address unless the "
                       "company allows private ones (setting webhook_allow_private)."})
    description = fields.String(allow_none=True, metadata={"description": "At most 200 characters."})
    events = fields.List(fields.String(), allow_none=True, metadata={
        "description": "Required on creation: at least one of " + ", ".join(EVENTS) + "."})
    secret = fields.String(allow_none=True, load_only=True, metadata={
        "description": "16-200 characters. Write-only; made (64 hex characters) when absent on creation."})
    active = fields.Boolean(allow_none=True, metadata={
        "description": "true turns the endpoint on again and forgets its failures; false turns it off."})


class DeliverySchema(ma.Schema):
    id = fields.Integer(metadata={"description": "Also sent as X-CRM-Delivery."})
    event = fields.String(metadata={"enum": [*EVENTS, "ping"]})
    record_type = fields.String()
    record_id = fields.Integer()
    status = fields.String(metadata={"enum": list(STATUSES), "description":
                                     f"failed: given up after {MAX_ATTEMPTS} attempts."})
    attempts = fields.Integer()
    status_code = fields.Integer(allow_none=True, metadata={"description": "The receiver's last answer."})
    response_ms = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True, metadata={"enum": [*ERRORS, None],
                                                     "description": "Why the last attempt got no answer."})
    created_at = fields.DateTime()
    delivered_at = fields.DateTime(allow_none=True)
    next_attempt_at = fields.DateTime(allow_none=True, metadata={"description": "The next try while pending."})


def managing(view):
    """403 without ``manage_settings`` (before the body is read, so a rep gets the same answer whatever they
    send); then 404 for an unknown ``webhook_id``."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not can(current_user, "manage_settings"):
            api_abort(403)
        if "webhook_id" in kwargs:
            kwargs["endpoint"] = found_or_404(get_endpoint(kwargs.pop("webhook_id")))
        return view(*args, **kwargs)

    return wrapper


@bp.route("/webhooks", methods=["GET"])
@managing
@bp.response(200, WebhookSchema(many=True))
@bp.alt_response(403, description="The caller may not manage settings.")
def list_webhooks():
    """The company's endpoints"""
    return [endpoint_data(endpoint) for endpoint in list_endpoints()]


@bp.route("/webhooks", methods=["POST"])
@managing
@bp.arguments(WebhookInputSchema)
@bp.response(201, WebhookCreatedSchema)
@bp.alt_response(403, description="The caller may not manage settings.")
def create(data):
    """Register an endpoint; the answer carries its secret, this once"""
    endpoint, secret = create_endpoint(data, actor=current_user)
    return {**endpoint_data(endpoint), "secret": secret}


@bp.route("/webhooks/<int:webhook_id>", methods=["PATCH"])
@managing
@bp.arguments(WebhookInputSchema)
@bp.response(200, WebhookSchema)
@bp.alt_response(403, description="The caller may not manage settings.")
@bp.alt_response(404, description="No such endpoint.")
def patch(data, endpoint):
    """Change an endpoint's address, events, secret or description; turn it on or off"""
    return endpoint_data(update_endpoint(endpoint, data, actor=current_user))


@bp.route("/webhooks/<int:webhook_id>", methods=["DELETE"])
@managing
@bp.response(204)
@bp.alt_response(403, description="The caller may not manage settings.")
@bp.alt_response(404, description="No such endpoint.")
def delete(endpoint):
    """Delete an endpoint and its delivery log"""
    delete_endpoint(endpoint, actor=current_user)


@bp.route("/webhooks/<int:webhook_id>/deliveries", methods=["GET"])
@managing
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_schema(DeliverySchema, "WebhookDeliveryPage"))
@bp.alt_response(403, description="The caller may not manage settings.")
@bp.alt_response(404, description="No such endpoint.")
def list_deliveries(args, endpoint):
    """The endpoint's deliveries, newest first"""
    rows, total = deliveries(endpoint, page=args["page"], per_page=args["per_page"])
    return page([delivery_data(delivery, event) for delivery, event in rows], total, args)
