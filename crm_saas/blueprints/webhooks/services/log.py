"""Reading the delivery log: an endpoint's deliveries newest first, and each endpoint's latest one for the list."""
from sqlalchemy import func, select

from crm_saas.blueprints.webhooks.models import WebhookDelivery
from crm_saas.core.outbox import OutboxEvent
from crm_saas.extensions import db


def deliveries(endpoint, *, page=1, per_page=50):
    """``([(delivery, event)], total)``: one page of ``endpoint``'s log, newest first."""
    total = db.session.scalar(select(func.count()).select_from(WebhookDelivery)
                              .where(WebhookDelivery.endpoint_id == endpoint.id))
    rows = db.session.execute(
        select(WebhookDelivery, OutboxEvent).join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.endpoint_id == endpoint.id).order_by(WebhookDelivery.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return [tuple(row) for row in rows], total


def get_delivery(endpoint, delivery_id):
    """One delivery of ``endpoint`` (None for another endpoint's)."""
    return db.session.scalar(select(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                                           WebhookDelivery.endpoint_id == endpoint.id))


def latest(endpoint_ids):
    """``{endpoint_id: delivery}``: each endpoint's newest delivery, in one query."""
    if not endpoint_ids:
        return {}
    newest = (select(func.max(WebhookDelivery.id)).where(WebhookDelivery.endpoint_id.in_(endpoint_ids))
              .group_by(WebhookDelivery.endpoint_id))
    rows = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.id.in_(newest))).all()
    return {row.endpoint_id: row for row in rows}


def delivery_data(delivery, event):
    """A delivery in the API's shape."""
    return {
        "id": delivery.id, "event": event.event, "record_type": event.record_type, "record_id": event.record_id,
        "status": delivery.status, "attempts": delivery.attempts, "status_code": delivery.status_code,
        "response_ms": delivery.response_ms, "error": delivery.error, "created_at": delivery.created_at,
        "delivered_at": delivery.delivered_at,
        "next_attempt_at": delivery.next_attempt_at if delivery.status == "pending" else None,
    }
