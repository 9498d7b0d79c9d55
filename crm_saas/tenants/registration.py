"""A company's sign-up (A1), by itself or filed by an agency rep (A3), up to the moment it waits or starts.

Both ways end in ``register_company``: the platform setting decides whether
it waits for the operator (``pending``, the default) or starts its trial
now, and a rep code ties it to that rep and their agency (whose bonus days
lengthen the trial). A company filed by a rep gets no password from the
rep: its administrator is emailed a link (once, 48 hours) to choose one.
"""
import secrets
from datetime import timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crm_saas.core import mail
from crm_saas.core.base import utcnow
from crm_saas.core.passwords import hash_password
from crm_saas.core.users import PasswordReset, User, secret_digest
from crm_saas.extensions import db
from crm_saas.tenants.binding import tenant_context
from crm_saas.tenants.lifecycle import company_url, log_change
from crm_saas.tenants.models import Agency, PlatformLog, Tenant
from crm_saas.tenants.platform_settings import platform_setting
from crm_saas.tenants.provisioning import provision_tenant

ADMIN_USERNAME = "admin"
SETUP_LINK_HOURS = 48


def register_company(slug, name, admin, *, contact, rep=None, actor=None, hook=None):
    """Create the company as a sign-up: pending or on trial by the platform setting; returns its id.

    ``rep`` (a ``PlatformUser``, already checked active) makes it theirs and
    their agency's. The creation and its platform log row are one transaction.
    """
    pending = bool(platform_setting("approval_required"))
    now = utcnow()
    days = int(platform_setting("trial_days"))
    if rep is not None:
        days += db.session.scalar(select(Agency.bonus_trial_days).where(Agency.id == rep.agency_id)) or 0
    owner = {"agency_id": rep.agency_id, "rep_id": rep.id, "rep_code": rep.code} if rep is not None else {}
    after = {"status": "pending" if pending else "trial", **owner}

    def log(conn):
        tenant_id = conn.scalar(select(Tenant.id).where(Tenant.slug == slug))
        with Session(bind=conn) as session:
            session.add(_log_row(tenant_id, name, actor, after))
            session.flush()
        if hook:
            hook(conn)

    return provision_tenant(
        slug, name, admin, contact=contact, status="pending" if pending else "trial",
        expires_at=None if pending else now + timedelta(days=days), approved_at=None if pending else now,
        hook=log, **owner,
    )


def _log_row(tenant_id, name, actor, after):
    return PlatformLog(actor_id=getattr(actor, "id", None), actor_name=getattr(actor, "name", None) or "system",
                       action="signed_up" if actor is None else "filed", target_type="tenant", target_id=tenant_id,
                       target_label=name[:200], tenant_id=tenant_id, before={}, after=after)


def unusable_password():
    """A hash of a random secret nobody holds: the administrator's until they choose their own."""
    return hash_password(secrets.token_urlsafe(32))


def send_setup_link(tenant, *, actor=None):
    """Email the company's administrator a link (once, 48 hours) to choose their password; retires older links.

    Returns whether a message was queued (False without a mail server or an email address).
    """
    if not tenant.contact_email or not mail.configured():
        return False
    # Read before the company's schema is entered: that starts a fresh session, leaving ``tenant`` behind.
    tenant_id, slug, company, schema = tenant.id, tenant.slug, tenant.name, tenant.schema_name
    to, contact = tenant.contact_email, tenant.contact_name
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with tenant_context(schema):
        admin = db.session.scalar(select(User).where(User.username == ADMIN_USERNAME))
        if admin is None:
            return False
        db.session.execute(update(PasswordReset).where(PasswordReset.user_id == admin.id,
                                                       PasswordReset.used_at.is_(None)).values(used_at=now))
        db.session.add(PasswordReset(user_id=admin.id, token_hash=secret_digest(token), created_at=now,
                                     expires_at=now + timedelta(hours=SETUP_LINK_HOURS)))
        db.session.commit()
    link = company_url(slug, f"/reset-password/{token}")
    with force_locale("zh_Hans_CN"):
        subject = _("Choose the password of %(company)s's CRM", company=company)
        body = _("Hello %(name)s,\n\nan account has been opened for %(company)s at %(address)s, with you as its "
                 "administrator (username: %(username)s). Open this link within %(hours)s hours to choose your "
                 "password; it works once:\n\n%(link)s\n\nThe company can be used once the platform has approved "
                 "it.", name=contact or "", company=company, address=company_url(slug),
                 username=ADMIN_USERNAME, hours=SETUP_LINK_HOURS, link=link)
    mail.queue(to, subject, body)
    if actor is not None:
        log_change("setup_link_sent", None, actor=actor, after={"to": to}, tenant_id=tenant_id, target_type="tenant",
                   label=company)
        db.session.commit()
    return True
