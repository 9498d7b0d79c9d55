"""The company list as a platform account sees it: filtered, searched, sorted, with who is online.

One statement over ``public.tenants`` (indexed by status, agency and rep,
each with the end date), narrowed by ``tenants.agencies.visible_tenants``.
Counts (users, customers, storage) are the columns the hourly count job
writes (workers/platform.py); who is online comes from ``tenant_presence``.
"""
from datetime import timedelta

from sqlalchemy import func, or_, select

from crm_saas.core.base import utcnow
from crm_saas.extensions import db
from crm_saas.tenants.agencies import visible_tenants
from crm_saas.tenants.lifecycle import OPEN
from crm_saas.tenants.models import STATUSES, Tenant, TenantPresence

ONLINE_MINUTES = 10
SORTS = {
    "ends_at": (Tenant.expires_at.asc().nulls_last(), Tenant.id),
    "-ends_at": (Tenant.expires_at.desc().nulls_last(), Tenant.id.desc()),
    "created_at": (Tenant.created_at, Tenant.id),
    "-created_at": (Tenant.created_at.desc(), Tenant.id.desc()),
    "name": (Tenant.name, Tenant.id),
    "-last_activity_at": (Tenant.last_activity_at.desc().nulls_last(), Tenant.id.desc()),
}
DEFAULT_SORT = "ends_at"


def status_clause(status, now):
    """Companies in ``status`` as users meet it: an open one past its end date counts as expired already."""
    if status == "expired":
        return or_(Tenant.status == "expired", Tenant.status.in_(OPEN) & (Tenant.expires_at <= now))
    if status in OPEN:
        return (Tenant.status == status) & (Tenant.expires_at.is_(None) | (Tenant.expires_at > now))
    return Tenant.status == status


def companies_statement(viewer, *, status=None, agency_id=None, rep_id=None, expiring_within_days=None, q=None,
                        category=None, binned=False, sort=None, now=None):
    """``select(Tenant)`` of the companies ``viewer`` sees, narrowed by the list's filters and sorted.

    Unknown statuses and sorts are the caller's to refuse (the API and the
    page validate them); here they simply filter nothing or use the default.
    ``binned`` shows the agency rep's recycle bin instead of their list.
    """
    now = now or utcnow()
    statement = visible_tenants(select(Tenant), viewer)
    if status in STATUSES:
        statement = statement.where(status_clause(status, now))
    if agency_id:
        statement = statement.where(Tenant.agency_id == agency_id)
    if rep_id:
        statement = statement.where(Tenant.rep_id == rep_id)
    if expiring_within_days is not None:
        statement = statement.where(Tenant.status.in_(OPEN), Tenant.expires_at > now,
                                    Tenant.expires_at <= now + timedelta(days=expiring_within_days))
    q = (q or "").strip()
    if q:
        columns = (Tenant.name, Tenant.slug, Tenant.contact_phone, Tenant.contact_name)
        statement = statement.where(or_(*(column.icontains(q, autoescape=True) for column in columns)))
    if category:
        statement = statement.where(Tenant.category == category)
    if not viewer.is_operator:  # the rep's recycle bin hides a company from their own list only
        statement = statement.where(Tenant.binned_at.is_not(None) if binned else Tenant.binned_at.is_(None))
    return statement.order_by(*SORTS.get(sort or DEFAULT_SORT, SORTS[DEFAULT_SORT]))


def page_of(statement, page=1, per_page=50):
    """``(rows, total)`` of one page."""
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


def online_counts(tenant_ids, now=None):
    """``{tenant_id: people seen in the last ten minutes}`` for the given companies (absent: nobody)."""
    if not tenant_ids:
        return {}
    since = (now or utcnow()) - timedelta(minutes=ONLINE_MINUTES)
    return dict(db.session.execute(
        select(TenantPresence.tenant_id, func.count()).where(TenantPresence.tenant_id.in_(list(tenant_ids)),
                                                             TenantPresence.seen_at > since)
        .group_by(TenantPresence.tenant_id)).all())


def online_people(tenant_ids, now=None):
    """``[(tenant_id, name, seen_at)]`` of the people seen in the last ten minutes in these companies."""
    if not tenant_ids:
        return []
    since = (now or utcnow()) - timedelta(minutes=ONLINE_MINUTES)
    return db.session.execute(
        select(TenantPresence.tenant_id, TenantPresence.name, TenantPresence.seen_at)
        .where(TenantPresence.tenant_id.in_(list(tenant_ids)), TenantPresence.seen_at > since)
        .order_by(TenantPresence.tenant_id, TenantPresence.seen_at.desc())).all()


def categories(viewer):
    """The classifications in use among the companies ``viewer`` sees (the rep's 客户分类), for the filter."""
    statement = visible_tenants(select(Tenant.category).where(Tenant.category.is_not(None)), viewer)
    return sorted(set(db.session.scalars(statement.distinct())))
