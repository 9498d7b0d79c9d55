"""Service jobs: reminding assignees of overdue service requests (F1), every open company in one run.

Queued by the scheduler every five minutes (``SCHEDULE`` in scheduler.py).
Safe to run twice: an assignee is reminded once per due time
(blueprints/service/services/reminders.py), so a second run finds nothing
left. A company that cannot work (expired, suspended) is skipped: its people
cannot sign in to act on a reminder. Mail goes through the company's own
SMTP server, as task reminders do; a company without one sends nothing.
"""
import logging

from crm_saas.blueprints.service.services import reminders
from crm_saas.core.jobs import CompanyClosedError
from crm_saas.extensions import db
from crm_saas.tenants.lifecycle import OPEN, company_url
from crm_saas.workers.context import get_app, job_tenant
from crm_saas.workers.scheduled import _companies

log = logging.getLogger("crm_saas.jobs")


def remind_company(slug, schema):
    """One company's overdue reminders; how many went (0 for a company that cannot work)."""
    try:
        with job_tenant(schema):
            return reminders.send_overdue_reminders_now(lambda request_id: company_url(slug, f"/service/{request_id}"))
    except CompanyClosedError:
        return 0


def remind_overdue():
    """Every open company's overdue reminders; returns ``{slug: sent}`` of those that sent any."""
    with get_app().app_context():
        companies = _companies(*OPEN)
        db.session.remove()
    sent = {slug: count for slug, schema in companies if (count := remind_company(slug, schema))}
    log.info("overdue service reminders sent", extra={"sent": sent})
    return sent
