"""The platform's scheduled work over every company's public row: end-date warnings and the operator's counts.

Both read and write ``public.tenants`` (and, for the counts, each schema's
catalogue and two counts), off the request path as DESIGN 7 asks.
"""
import logging
import os
from datetime import timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, text, update

from crm_saas.blueprints.customers.models import Customer
from crm_saas.core import mail
from crm_saas.core.base import utcnow
from crm_saas.core.users import User
from crm_saas.extensions import db
from crm_saas.tenants.backup import files_root
from crm_saas.tenants.binding import tenant_context
from crm_saas.tenants.lifecycle import OPEN, company_url
from crm_saas.tenants.migrate import TENANT, head
from crm_saas.tenants.models import Tenant
from crm_saas.tenants.resolve import contact_for
from crm_saas.workers.context import get_app

log = logging.getLogger("crm_saas.jobs")
WARN_DAYS = (7, 1)  # admins are emailed this many days before the end


def due_warnings(now=None):
    """``[(tenant, days)]``: open companies whose end is within a warning's days and not yet warned for it."""
    now = now or utcnow()
    found = []
    rows = db.session.scalars(select(Tenant).where(
        Tenant.status.in_(OPEN), Tenant.expires_at > now, Tenant.expires_at <= now + timedelta(days=max(WARN_DAYS)),
    ).order_by(Tenant.id)).all()
    for tenant in rows:
        days = min(d for d in WARN_DAYS if tenant.expires_at <= now + timedelta(days=d))
        if tenant.warned_days is None or tenant.warned_days > days:
            found.append((tenant, days))
    return found


def warn_expiring():
    """Email each company's administrator 7 and 1 days before its end (once each per end date); returns
    ``{slug: days}`` of the warnings queued. Extending clears ``warned_days``, so a new end date warns again."""
    sent = {}
    with get_app().app_context():
        if not mail.configured():
            return sent
        for tenant, days in due_warnings():
            if tenant.contact_email:
                subject, body = _warning(tenant, days)
                mail.queue(tenant.contact_email, subject, body)
                sent[tenant.slug] = days
            db.session.execute(update(Tenant).where(Tenant.id == tenant.id).values(warned_days=days))
            db.session.commit()
    if sent:
        log.info("end-date warnings queued", extra={"warned": sent})
    return sent


def _warning(tenant, days):
    contact = contact_for(tenant)
    with force_locale("zh_Hans_CN"):
        what = _("subscription") if tenant.paid else _("trial")
        subject = _("%(company)s: your %(what)s ends in %(days)s days", company=tenant.name, what=what, days=days)
        body = _("Hello %(name)s,\n\nthe %(what)s of %(company)s (%(address)s) ends on %(date)s. After that the "
                 "company cannot be used until it is extended; its data is kept.\n\nTo extend it, contact "
                 "%(contact)s %(phone)s.", name=tenant.contact_name or "", what=what, company=tenant.name,
                 address=company_url(tenant.slug), date=tenant.expires_at.date().isoformat(),
                 contact=contact["name"], phone=contact["phone"] or contact["email"] or "")
    return subject, body


def count_companies():
    """Refresh every company's users, customers and storage (database and files) on its public row; returns
    how many were counted. Companies whose schema is behind this code are skipped until upgraded."""
    counted = 0
    with get_app().app_context():
        rows = db.session.execute(select(Tenant.id, Tenant.schema_name).where(
            Tenant.schema_version == head(TENANT)).order_by(Tenant.id)).all()
        db.session.remove()
        files = files_root()
        for tenant_id, schema in rows:
            with tenant_context(schema):
                users = db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(True)))
                customers = db.session.scalar(select(func.count()).select_from(Customer)
                                              .where(Customer.deleted_at.is_(None)))
            size = db.session.scalar(text(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :schema AND c.relkind = 'r'"),
                {"schema": schema})
            size += _folder_size(os.path.join(files, schema))
            db.session.execute(update(Tenant).where(Tenant.id == tenant_id).values(
                user_count=users, customer_count=customers, storage_bytes=size, counted_at=utcnow()))
            db.session.commit()
            counted += 1
    log.info("companies counted", extra={"companies": counted})
    return counted


def _folder_size(path):
    total = 0
    for folder, _dirs, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(folder, name)) for name in files)
    return total


