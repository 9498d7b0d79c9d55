"""The jobs the scheduler queues (crm_saas/workers/scheduler.py), one run covering every company.

The cron commands (`crm-saas purge-expired`, `crm-saas send-reminders`) call
the same functions, for those who keep a cron. Each is safe to run twice:
a second run finds nothing left to do.
"""
import logging

from sqlalchemy import select

from crm_saas.blueprints.customers.services.recycle import purge_expired
from crm_saas.blueprints.imports.services import purge_old_files
from crm_saas.extensions import db
from crm_saas.tenants.binding import tenant_context
from crm_saas.tenants.lifecycle import OPEN, expire_overdue
from crm_saas.tenants.models import Tenant
from crm_saas.workers.context import get_app
from crm_saas.workers.reminders import send_due_reminders

log = logging.getLogger("crm_saas.jobs")


def _companies(*statuses):
    statement = select(Tenant.slug, Tenant.schema_name).order_by(Tenant.slug)
    if statuses:
        statement = statement.where(Tenant.status.in_(statuses))
    return db.session.execute(statement).all()


def purge_recycle_bins():
    """Customers kept in a company's recycle bin past its days, purged; returns ``{slug: purged}``.

    The same daily pass drops import files (uploads, error workbooks) older than 7 days (I1).
    """
    purged = {}
    with get_app().app_context():
        for slug, schema in _companies():
            with tenant_context(schema):
                count = purge_expired()
                purge_old_files()
            if count:
                purged[slug] = count
    log.info("recycle bins purged", extra={"purged": purged})
    return purged


def send_reminders():
    """Every open company's due reminders (a safety net behind the job queued for each task's time)."""
    with get_app().app_context():
        companies = _companies(*OPEN)  # a suspended company's people cannot sign in to act on a reminder
    sent = {slug: count for slug, schema in companies if (count := send_due_reminders(schema))}
    log.info("reminders sent", extra={"sent": sent})
    return sent


def expire_companies():
    """Companies past their end date stop working (A2); returns their slugs."""
    with get_app().app_context():
        expired = expire_overdue()
    if expired:
        log.info("companies expired", extra={"slugs": expired})
    return expired
