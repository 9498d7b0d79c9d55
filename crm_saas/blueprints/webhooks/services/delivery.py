"""The worker's half of webhooks: hand each outbox event to the endpoints subscribed to it, then post what is due.

``dispatch`` turns undispatched outbox events (in id order, rows locked with
``SKIP LOCKED`` so two workers never hand out the same event) into one
delivery row per active endpoint that wants the event.

``deliver_due`` posts due deliveries one at a time, each row locked while
its request is out, so a second worker skips it. A delivery waits while an
earlier event of the same record is still undelivered for that endpoint, or
not yet dispatched at all: a receiver gets one record's events in the order
they happened (event ids follow commit order per record, since each change
holds the record's row lock until it commits). A failed attempt is tried
again after a growing delay (``RETRY_DELAYS``) and given up after
``MAX_ATTEMPTS``. The endpoint itself backs off the same way: after a
failure none of its deliveries is tried until the delay for its failures in a
row has passed, so a receiver that is down for an hour counts a handful of
failures, not one per queued event; ``disable_after()`` failures in a row
turn it off and its admins are told (notices.py).
"""
import logging
from dataclasses import dataclass

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import aliased

from crm_saas.blueprints.webhooks.models import WebhookDelivery, WebhookEndpoint
from crm_saas.blueprints.webhooks.services import MAX_ATTEMPTS, disable_after, retry_delay
from crm_saas.blueprints.webhooks.services.addresses import private_allowed
from crm_saas.blueprints.webhooks.services.notices import tell_admins
from crm_saas.blueprints.webhooks.services.sending import body_of, headers_for, post
from crm_saas.core import crypto, outbound
from crm_saas.core.base import utcnow
from crm_saas.core.outbox import OutboxEvent
from crm_saas.extensions import db

log = logging.getLogger(__name__)

DISPATCH_BATCH = 500
DELIVER_BUDGET = 500  # attempts per run and company; the rest waits for the next run


def record_key(event):
    return f"{event.record_type}:{event.record_id}"


def dispatch():
    """Every undispatched event handed out; returns how many events were."""
    done = 0
    while True:
        events = db.session.scalars(
            select(OutboxEvent).where(OutboxEvent.dispatched_at.is_(None)).order_by(OutboxEvent.id)
            .limit(DISPATCH_BATCH).with_for_update(skip_locked=True)
        ).all()
        if not events:
            db.session.rollback()
            return done
        endpoints = db.session.execute(
            select(WebhookEndpoint.id, WebhookEndpoint.events).where(WebhookEndpoint.active.is_(True))
            .order_by(WebhookEndpoint.id)
        ).all()
        now = utcnow()
        for event in events:
            for endpoint_id, wanted in endpoints:
                if event.event in (wanted or ()):
                    db.session.add(WebhookDelivery(endpoint_id=endpoint_id, event_id=event.id,
                                                   record_key=record_key(event), next_attempt_at=now))
            event.dispatched_at = now
        db.session.commit()
        done += len(events)
        if len(events) < DISPATCH_BATCH:
            return done


def has_work():
    """Anything to hand out or post now (two index lookups: the sweep asks every company every minute)."""
    now = utcnow()
    found = db.session.scalar(select(exists().where(OutboxEvent.dispatched_at.is_(None)))) or db.session.scalar(
        select(exists().where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)))
    db.session.rollback()
    return bool(found)


def _due(now):
    """The pending deliveries due now, of active endpoints, oldest due first: ``[(id, endpoint_id)]``."""
    return db.session.execute(
        select(WebhookDelivery.id, WebhookDelivery.endpoint_id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now,
               WebhookEndpoint.active.is_(True))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(DELIVER_BUDGET)
    ).all()


def resting_endpoints(now):
    """Endpoints still waiting out the delay after their last failed attempt (ids)."""
    rows = db.session.execute(
        select(WebhookEndpoint.id, WebhookEndpoint.failures, func.max(WebhookDelivery.last_attempt_at))
        .join(WebhookDelivery, WebhookDelivery.endpoint_id == WebhookEndpoint.id)
        .where(WebhookEndpoint.active.is_(True), WebhookEndpoint.failures > 0,
               WebhookDelivery.status.in_(("pending", "failed")))
        .group_by(WebhookEndpoint.id)
    ).all()
    return {endpoint_id for endpoint_id, failures, last in rows if last and now < last + retry_delay(failures)}


@dataclass
class Run:
    """What one run did, and what it knows: the company's private-address setting, read once."""

    link: str
    allow_private: bool
    delivered: int = 0
    failed: int = 0
    disabled: int = 0


def deliver_due(link=""):
    """Post every due delivery (up to ``DELIVER_BUDGET``); returns the ``Run``.

    ``link`` is the webhooks page's address, for the message telling admins an endpoint was turned off.
    A delivery whose earlier sibling gets through in this run is tried in the same run, not a minute later.
    """
    run = Run(link=link, allow_private=private_allowed())
    db.session.rollback()
    attempts = 0
    while attempts < DELIVER_BUDGET:
        now = utcnow()
        due, resting = _due(now), resting_endpoints(now)
        db.session.rollback()  # nothing held between attempts
        progressed = False
        for delivery_id, endpoint_id in due:
            if endpoint_id in resting or attempts >= DELIVER_BUDGET:
                continue
            outcome = attempt(delivery_id, run)
            if outcome is None:
                continue  # another worker has it, or an earlier event of its record goes first
            attempts += 1
            if outcome.ok:
                progressed = True
            else:
                resting.add(endpoint_id)  # the endpoint waits before anything else is tried
        if not progressed:
            return run
    return run


def _locked(delivery_id):
    """The delivery, locked, if it is still due and nothing earlier of its record waits; else None."""
    earlier = aliased(WebhookDelivery)
    mine, other = aliased(OutboxEvent), aliased(OutboxEvent)
    return db.session.execute(
        select(WebhookDelivery, mine)
        .join(mine, mine.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == "pending",
               WebhookDelivery.next_attempt_at <= utcnow(),
               ~exists().where(earlier.endpoint_id == WebhookDelivery.endpoint_id,
                               earlier.record_key == WebhookDelivery.record_key, earlier.status == "pending",
                               earlier.event_id < WebhookDelivery.event_id),
               ~exists().where(other.dispatched_at.is_(None), other.id < mine.id,
                               other.record_type == mine.record_type, other.record_id == mine.record_id))
        .with_for_update(of=WebhookDelivery, skip_locked=True)
    ).first()


def attempt(delivery_id, run):
    """One try of one delivery, recorded and committed; the ``Outcome``, or None when it was not tried."""
    found = _locked(delivery_id)
    endpoint = db.session.get(WebhookEndpoint, found[0].endpoint_id) if found else None
    if found is None or endpoint is None or not endpoint.active:
        db.session.rollback()
        return None
    delivery, event = found
    secret = crypto.decrypt(endpoint.secret)
    body = body_of(event.event, event.occurred_at.isoformat(), event.data)
    timestamp = int(utcnow().timestamp())
    outcome = post(endpoint.url, body, headers_for(event.event, delivery.id, secret, timestamp, body),
                   allow_private=run.allow_private, timeout=outbound.timeout())
    now = utcnow()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.status_code, delivery.response_ms, delivery.error = outcome.status_code, outcome.response_ms, \
        outcome.error
    delivery.history = [*(delivery.history or []), {"at": now.isoformat(), "status_code": outcome.status_code,
                                                    "response_ms": outcome.response_ms, "error": outcome.error}]
    turned_off = False
    if outcome.ok:
        delivery.status, delivery.delivered_at = "delivered", now
        db.session.execute(update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id).values(failures=0))
        run.delivered += 1
    else:
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = "failed"
        else:
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        turned_off = _count_failure(endpoint.id, now)
        run.failed += 1
    db.session.commit()
    if turned_off:
        run.disabled += 1
        log.warning("webhook endpoint %s turned off after %s failures in a row", endpoint.id, disable_after())
        tell_admins(db.session.get(WebhookEndpoint, endpoint.id), run.link)
    return outcome


def _count_failure(endpoint_id, now):
    """One more failure in a row for the endpoint; True when it just turned the endpoint off."""
    failures = db.session.execute(
        update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
        .values(failures=WebhookEndpoint.failures + 1).returning(WebhookEndpoint.failures)
    ).scalar_one()
    if failures < disable_after():
        return False
    return bool(db.session.execute(
        update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.active.is_(True))
        .values(active=False, disabled_at=now, disabled_reason="failures")
    ).rowcount)
