"""A company's end date (A2): past it, the company stops working until the operator extends it; its data is kept."""
from sqlalchemy import update

from crm_saas.core.base import utcnow
from crm_saas.extensions import db
from crm_saas.tenants.models import Tenant

OPEN = ("trial", "active")


def expire_overdue():
    """Mark every open company whose end date has passed as ``expired``; returns their slugs.

    Run by the scheduler every hour (crm_saas/workers/scheduler.py); a
    company extended meanwhile has a later date and is left alone.
    """
    slugs = db.session.scalars(
        update(Tenant).where(Tenant.status.in_(OPEN), Tenant.expires_at.is_not(None), Tenant.expires_at < utcnow())
        .values(status="expired").returning(Tenant.slug)
    ).all()
    db.session.commit()
    return sorted(slugs)
