"""The lead pools' scheduled job (C11): in every open company, warn owners and take back what the rules say.

Queued by the scheduler (``SCHEDULE`` in scheduler.py) once a day; safe to
run twice, as a second run finds nothing due and every warning already given.
A company that cannot work (expired, suspended) is skipped: nobody could
claim what its pools would receive.
"""
import logging

from crm_saas.blueprints.pools.services.recycling import run_pools
from crm_saas.core.jobs import CompanyClosedError
from crm_saas.extensions import db
from crm_saas.tenants.lifecycle import OPEN
from crm_saas.workers.context import get_app, job_tenant
from crm_saas.workers.scheduled import _companies

log = logging.getLogger("crm_saas.jobs")


def recycle_company(schema):
    """One company's pools; ``{"warned": n, "recycled": n}`` (nothing for a company that cannot work)."""
    try:
        with job_tenant(schema):
            return run_pools()
    except CompanyClosedError:
        return {"warned": 0, "recycled": 0}


def recycle_pools():
    """Every open company's pools; returns ``{slug: {"warned", "recycled"}}`` of those where something happened."""
    with get_app().app_context():
        companies = _companies(*OPEN)
        db.session.remove()
    done = {}
    for slug, schema in companies:
        totals = recycle_company(schema)
        if any(totals.values()):
            done[slug] = totals
    log.info("pools recycled", extra={"pools": done})
    return done
