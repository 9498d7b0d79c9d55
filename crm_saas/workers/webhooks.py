"""Webhook jobs: delivering the outbox's events to the endpoints (signed, retried, logged).

``deliver_company`` is queued when a commit wrote events (the webhooks
feature's ``committed`` hook on the outbox) and when an admin sends a test
event or retries a delivery. ``sweep_webhooks`` is queued by the scheduler
every minute (``SCHEDULE`` in scheduler.py): it delivers what a lost wake-up
left behind (Redis was down when the change committed) and the retries that
have come due. Both are safe to run at the same time as each other: rows are
locked and skipped (blueprints/webhooks/services/delivery.py). A company
that cannot work (expired, suspended) is skipped; its events wait.
"""
import logging

from redis.exceptions import RedisError
from sqlalchemy import select

from crm_saas.blueprints.webhooks.services.delivery import deliver_due, dispatch, has_work
from crm_saas.blueprints.webhooks.services.queueing import woken
from crm_saas.core.jobs import CompanyClosedError
from crm_saas.extensions import db
from crm_saas.tenants.binding import tenant_context
from crm_saas.tenants.lifecycle import OPEN, company_url
from crm_saas.tenants.models import Tenant
from crm_saas.workers.context import get_app, job_tenant
from crm_saas.workers.scheduled import _companies

log = logging.getLogger("crm_saas.jobs")


def _page(slug):
    return company_url(slug, "/settings/webhooks/") if slug else ""


def _deliver(slug):
    dispatched = dispatch()
    run = deliver_due(_page(slug))
    return {"dispatched": dispatched, "delivered": run.delivered, "failed": run.failed, "disabled": run.disabled}


def deliver_company(schema):
    """One company's undispatched events handed out and its due deliveries posted; what it did (None for a
    company that cannot work)."""
    try:
        with job_tenant(schema):
            try:
                woken(schema)  # a commit from now on queues the next run
            except RedisError:
                pass
            slug = db.session.scalar(select(Tenant.slug).where(Tenant.schema_name == schema))
            return _deliver(slug)
    except CompanyClosedError:
        return None


def sweep_webhooks():
    """Every open company with an event to hand out or a delivery due; returns ``{slug: what it did}``."""
    done = {}
    with get_app().app_context():
        companies = _companies(*OPEN)
        db.session.remove()
        for slug, schema in companies:
            try:
                with tenant_context(schema):
                    if has_work():
                        done[slug] = _deliver(slug)
            except Exception:  # noqa: BLE001 - one company's trouble must not stop the others' deliveries
                log.exception("webhook sweep failed for %s", slug)
    if done:
        log.info("webhooks swept", extra={"webhooks": done})
    return done
