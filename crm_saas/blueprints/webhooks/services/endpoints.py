"""Registering endpoints: one set of checks for the pages and the API, each change logged with it.

``endpoint_errors`` judges data in the API's shape (``url``, ``description``,
``events``, ``secret``, ``active``), names every bad field, and nothing is
saved unless all pass. The secret is made here when none is given
(``secrets.token_hex(32)``), stored encrypted (core/crypto.py) and handed back
once, to the caller that made it; the log never holds it.
"""
import secrets

from flask import g, has_app_context
from flask_babel import gettext as _
from sqlalchemy import func, select

from crm_saas.blueprints.webhooks.models import WebhookDelivery, WebhookEndpoint
from crm_saas.blueprints.webhooks.services import PING, WebhookError
from crm_saas.blueprints.webhooks.services.addresses import url_problem
from crm_saas.core import crypto
from crm_saas.core.audit import record
from crm_saas.core.base import utcnow
from crm_saas.core.outbox import EVENTS, OutboxEvent
from crm_saas.core.settings import get_setting, set_setting
from crm_saas.extensions import db
from crm_saas.tenants.binding import current_schema

FIELDS = ("url", "description", "events", "secret", "active")
DESCRIPTION_MAX = 200
SECRET_MIN, SECRET_MAX = 16, 200


def new_secret():
    return secrets.token_hex(32)


def subscribed_events():
    """Every event some active endpoint of the company wants (one query)."""
    rows = db.session.scalars(select(func.jsonb_array_elements_text(WebhookEndpoint.events))
                              .where(WebhookEndpoint.active.is_(True)).distinct())
    return frozenset(rows)


def wanted_events():
    """``subscribed_events``, read once per app context (a request, a job) and company: the outbox asks on
    every commit that changed a watched record. Outside a company (the platform's own sessions): nothing."""
    schema = current_schema()
    if schema is None or not has_app_context():
        return frozenset()
    cache = g.setdefault("webhook_events", {})
    if schema not in cache:
        cache[schema] = subscribed_events()
    return cache[schema]


def _changed():
    """Endpoints changed: the next commit in this app context reads the subscriptions again."""
    if has_app_context():
        g.pop("webhook_events", None)


def get_endpoint(endpoint_id):
    return db.session.get(WebhookEndpoint, endpoint_id)


def list_endpoints():
    return db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()


def _events(raw, errors):
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        errors["events"] = [_("Send the events as a list of event names.")]
        return []
    unknown = sorted(set(raw) - set(EVENTS))
    if unknown:
        errors["events"] = [_("Unknown events: %(names)s.", names=", ".join(unknown))]
    elif not raw:
        errors["events"] = [_("Choose at least one event.")]
    return [name for name in EVENTS if name in raw]  # the form's order, each once


def endpoint_errors(data, *, endpoint=None):
    """``(values, errors)``: ``data`` checked as the endpoint would become (only the fields sent, on an edit)."""
    errors, values = {}, {}
    present = set(FIELDS) if endpoint is None else set(data) & set(FIELDS)
    if "url" in present:
        url = data.get("url")
        problem = url_problem(url)
        if problem:
            errors["url"] = [problem]
        values["url"] = url.strip() if isinstance(url, str) else url
    if "description" in present:
        description = data.get("description")
        description = description.strip() if isinstance(description, str) else description
        if description is not None and not isinstance(description, str):
            errors["description"] = [_("Send a text.")]
        elif description and len(description) > DESCRIPTION_MAX:
            errors["description"] = [_("At most %(max)d characters.", max=DESCRIPTION_MAX)]
        values["description"] = description or None
    if "events" in present:
        values["events"] = _events(data.get("events"), errors)
    if "secret" in present and (data.get("secret") is not None or endpoint is not None):
        secret = data.get("secret")
        if not isinstance(secret, str) or not SECRET_MIN <= len(secret) <= SECRET_MAX:
            errors["secret"] = [_("From %(min)d to %(max)d characters.", min=SECRET_MIN, max=SECRET_MAX)]
        values["secret"] = secret
    if "active" in present and data.get("active") is not None:
        if not isinstance(data.get("active"), bool):
            errors["active"] = [_("Send true or false.")]
        values["active"] = data.get("active")
    return values, errors


def create_endpoint(data, *, actor):
    """``(endpoint, secret)``: the secret is returned this once, to be shown to its maker."""
    values, errors = endpoint_errors(data)
    if errors:
        raise WebhookError(errors)
    secret = values.pop("secret", None) or new_secret()
    active = values.pop("active", True)
    endpoint = WebhookEndpoint(secret=crypto.encrypt(secret), created_by_id=actor.id, failures=0, **values)
    _set_active(endpoint, active)
    db.session.add(endpoint)
    db.session.flush()
    record("webhook_created", endpoint, actor=actor, target_type="webhook", label=endpoint.url,
           events=endpoint.events)
    db.session.commit()
    _changed()
    return endpoint, secret


def update_endpoint(endpoint, data, *, actor):
    values, errors = endpoint_errors(data, endpoint=endpoint)
    if errors:
        raise WebhookError(errors)
    if "secret" in values:
        endpoint.secret = crypto.encrypt(values.pop("secret"))
    if "active" in values:
        _set_active(endpoint, values.pop("active"))
    for key, value in values.items():
        setattr(endpoint, key, value)
    fields = sorted(set(data) & set(FIELDS))
    record("webhook_updated", endpoint, actor=actor, target_type="webhook", label=endpoint.url, fields=fields)
    db.session.commit()
    _changed()
    return endpoint


def _set_active(endpoint, active):
    """On again: its failures forgotten; off by hand: said so (not "it failed")."""
    if active and endpoint.active is not True:
        endpoint.active, endpoint.failures, endpoint.disabled_at, endpoint.disabled_reason = True, 0, None, None
    elif not active and endpoint.active is not False:
        endpoint.active, endpoint.disabled_at, endpoint.disabled_reason = False, utcnow(), "manual"


def enable_endpoint(endpoint, *, actor):
    return update_endpoint(endpoint, {"active": True}, actor=actor)


def rotate_secret(endpoint, *, actor):
    """A new secret, returned this once; deliveries are signed with it from now on."""
    secret = new_secret()
    endpoint.secret = crypto.encrypt(secret)
    record("webhook_secret_rotated", endpoint, actor=actor, target_type="webhook", label=endpoint.url)
    db.session.commit()
    return secret


def delete_endpoint(endpoint, *, actor):
    """The endpoint and its delivery log (events other endpoints still wait for stay)."""
    record("webhook_deleted", endpoint, actor=actor, target_type="webhook", label=endpoint.url)
    db.session.delete(endpoint)
    db.session.commit()
    _changed()


def send_ping(endpoint, *, actor):
    """A ``ping`` delivery for the endpoint alone (a test event), posted by the worker like any other.

    Asked for now, it goes now: the endpoint's failures in a row start over, so it does not wait out the
    pause that follows them (delivery.py).
    """
    now = utcnow()
    endpoint.failures = 0
    event = OutboxEvent(event=PING, record_type="webhook", record_id=endpoint.id, occurred_at=now,
                        dispatched_at=now, data={"webhook_id": endpoint.id, "url": endpoint.url,
                                                 "sent_by": actor.name})
    db.session.add(event)
    db.session.flush()
    delivery = WebhookDelivery(endpoint_id=endpoint.id, event_id=event.id, record_key=f"webhook:{endpoint.id}",
                               next_attempt_at=now)
    db.session.add(delivery)
    db.session.commit()
    return delivery


def retry_delivery(delivery):
    """A given-up delivery tried once more, now (the endpoint's failures in a row start over, as for a test
    event); False for one not given up."""
    if delivery.status != "failed":
        return False
    delivery.status, delivery.next_attempt_at = "pending", utcnow()
    delivery.endpoint.failures = 0
    db.session.commit()
    return True


def set_private_allowed(allowed, *, actor):
    """The company setting ``webhook_allow_private``, logged; True if it changed."""
    if bool(get_setting("webhook_allow_private")) == bool(allowed):
        return False
    old = get_setting("webhook_allow_private")
    set_setting("webhook_allow_private", bool(allowed), actor=actor)
    record("setting_changed", None, actor=actor, target_type="setting", label="webhook_allow_private",
           key="webhook_allow_private", old=old, new=bool(allowed))
    db.session.commit()
    return True


def endpoint_data(endpoint):
    """The endpoint in the API's shape (API.md ``webhooks``); never the secret."""
    return {
        "id": endpoint.id, "url": endpoint.url, "description": endpoint.description, "events": endpoint.events,
        "active": endpoint.active, "failures": endpoint.failures, "disabled_at": endpoint.disabled_at,
        "disabled_reason": endpoint.disabled_reason, "created_at": endpoint.created_at,
    }
