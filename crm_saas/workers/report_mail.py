"""The weekly summary's scheduled job: every open company's managers get last week's dashboard by email.

Queued by the scheduler on Monday mornings (``SCHEDULE`` in scheduler.py);
safe to run again: a subscription sent since the week began is not sent
twice (reports/services/subscriptions.py). A company that cannot work
(expired, suspended) is skipped: its people cannot sign in to act on it.
"""
import logging

from crm_saas.blueprints.reports.services.subscriptions import send_weekly_summaries_now
from crm_saas.core.jobs import CompanyClosedError
from crm_saas.extensions import db
from crm_saas.tenants.lifecycle import OPEN, company_url
from crm_saas.workers.context import get_app, job_tenant
from crm_saas.workers.scheduled import _companies

log = logging.getLogger("crm_saas.jobs")


def send_company_summaries(slug, schema, today=None):
    """One company's due summaries; how many went (0 for a company that cannot work)."""
    try:
        with job_tenant(schema):
            return send_weekly_summaries_now(company_url(slug), today=today)
    except CompanyClosedError:
        return 0


def send_weekly_summaries(today=None):
    """Every open company's due weekly summaries; returns ``{slug: sent}`` of those that sent any."""
    with get_app().app_context():
        companies = _companies(*OPEN)
        db.session.remove()
    sent = {slug: count for slug, schema in companies if (count := send_company_summaries(slug, schema, today))}
    log.info("weekly summaries sent", extra={"sent": sent})
    return sent
