"""A company's life (A2): pending -> trial -> active -> expired, suspended from any, rejected at the start.

Every change the operator (or an agency, or the scheduler) makes goes
through here and writes a ``PlatformLog`` row, before and after, in the
same transaction as the change. A company past its end date stops working
until it is extended; its data is never touched.
"""
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, g, has_request_context, request
from flask_babel import force_locale, pgettext
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crm_saas.core import mail
from crm_saas.core.base import TENANT_SCHEMA, utcnow
from crm_saas.core.errors import FieldErrors
from crm_saas.core.passwords import policy_errors, set_password
from crm_saas.core.users import ApiToken, User
from crm_saas.extensions import db
from crm_saas.tenants.models import Agency, ExtensionRequest, PlatformLog, PlatformUser, Tenant
from crm_saas.tenants.platform_settings import platform_setting

OPEN = ("trial", "active")
# What each change may start from.
APPROVABLE = ("pending",)
SUSPENDABLE = ("pending", "trial", "active", "expired")
EXTENDABLE = ("trial", "active", "expired", "suspended")
MAX_EXTENSION_DAYS = 3660


class LifecycleError(FieldErrors):
    """A refused change to a company: the field it names, or ``status`` when its state forbids it."""


def _snapshot(tenant):
    return {
        "name": tenant.name, "status": tenant.status, "paid": tenant.paid,
        "ends_at": tenant.expires_at.isoformat() if tenant.expires_at else None,
        "agency_id": tenant.agency_id, "rep_id": tenant.rep_id, "rep_code": tenant.rep_code,
    }


def log_change(action, target, *, actor, before=None, after=None, reason=None, tenant_id=None, target_type=None,
               label=None):
    """Add a platform log row to the current transaction (it commits or rolls back with the change)."""
    db.session.add(PlatformLog(
        actor_id=getattr(actor, "id", None), actor_name=getattr(actor, "name", None) or "system",
        action=action, target_type=target_type or type(target).__name__.lower(),
        target_id=tenant_id if target is None else getattr(target, "id", None),
        target_label=(label or getattr(target, "name", "") or "")[:200],
        tenant_id=tenant_id if tenant_id is not None else (target.id if isinstance(target, Tenant) else None),
        before=before or {}, after=after or {}, reason=reason,
        ip=request.remote_addr if has_request_context() else None,
    ))


class _Change:
    """``with _Change(tenant, "approved", actor, reason):`` logs the company before and after, then commits."""

    def __init__(self, tenant, action, actor, reason=None):
        self.tenant, self.action, self.actor, self.reason = tenant, action, actor, reason

    def __enter__(self):
        self.before = _snapshot(self.tenant)
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            db.session.rollback()
            return False
        log_change(self.action, self.tenant, actor=self.actor, before=self.before, after=_snapshot(self.tenant),
                   reason=self.reason)
        db.session.commit()
        return False


def _refuse(field, message):
    raise LifecycleError({field: [message]})


def _require_status(tenant, allowed):
    if tenant.status not in allowed:
        _refuse("status", _("Not possible while the company is %(status)s.", status=status_label(tenant.status)))


def _reason(reason):
    reason = (reason or "").strip()
    if not reason:
        _refuse("reason", _("Give a reason."))
    return reason[:2000]


def trial_days_for(tenant):
    """The platform's trial length plus the bonus days (赠送) of the company's agency, if it has one."""
    days = int(platform_setting("trial_days"))
    if tenant.agency_id:
        days += db.session.scalar(select(Agency.bonus_trial_days).where(Agency.id == tenant.agency_id)) or 0
    return days


def _reopened(tenant, now):
    """The status a company returns to: pending until approved, expired past its date, else trial or active."""
    if tenant.approved_at is None:
        return "pending"
    if tenant.expires_at is not None and tenant.expires_at <= now:
        return "expired"
    return "active" if tenant.paid else "trial"


def approve(tenant, *, actor):
    """开通: the company can log in, and its trial starts now for the platform's length plus any bonus."""
    _require_status(tenant, APPROVABLE)
    now = utcnow()
    with _Change(tenant, "approved", actor):
        tenant.status, tenant.approved_at, tenant.status_reason = "trial", now, None
        tenant.expires_at, tenant.warned_days = now + timedelta(days=trial_days_for(tenant)), None
    _tell_admin(tenant, "approved")


def reject(tenant, reason, *, actor):
    """Turn a sign-up down; its applicant is emailed the reason. The subdomain stays taken (its schema is kept)."""
    _require_status(tenant, APPROVABLE)
    reason = _reason(reason)
    with _Change(tenant, "rejected", actor, reason):
        tenant.status, tenant.status_reason = "rejected", reason
    _tell_admin(tenant, "rejected")


def new_end(tenant, *, days=None, until=None, now=None):
    """The end date ``days`` more (counted from today if it already passed) or ``until`` (the end of that day
    where the platform's people read dates: ``BABEL_DEFAULT_TIMEZONE``, China time)."""
    now = now or utcnow()
    if (days is None) == (until is None):
        _refuse("days", _("Give either a number of days or an end date."))
    if days is not None:
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
            _refuse("days", _("Give a whole number of days from 1 to %(max)s.", max=MAX_EXTENSION_DAYS))
        start = tenant.expires_at if tenant.expires_at and tenant.expires_at > now else now
        return start + timedelta(days=days)
    if isinstance(until, datetime):
        until = until.date()
    local = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    end = datetime.combine(until, time(23, 59, 59), tzinfo=local).astimezone(timezone.utc)
    if end <= now:
        _refuse("until", _("The end date must be in the future."))
    if end > now + timedelta(days=MAX_EXTENSION_DAYS):
        _refuse("until", _("The end date is too far away."))
    return end


def extend(tenant, *, days=None, until=None, paid=None, actor, reason=None, action="extended"):
    """延期: set a new end date; an expired company works again at once. ``paid`` turns a trial into a subscription."""
    _require_status(tenant, EXTENDABLE)
    end = new_end(tenant, days=days, until=until)
    now = utcnow()
    with _Change(tenant, action, actor, reason):
        _apply_end(tenant, end, paid, now)


def _apply_end(tenant, end, paid, now):
    tenant.expires_at, tenant.warned_days = end, None
    if paid and not tenant.paid:
        tenant.paid, tenant.paid_at = True, now
    elif paid is False:
        tenant.paid = False
    if tenant.status != "suspended":
        tenant.status = _reopened(tenant, now)


def suspend(tenant, reason, *, actor):
    _require_status(tenant, SUSPENDABLE)
    reason = _reason(reason)
    with _Change(tenant, "suspended", actor, reason):
        tenant.status, tenant.status_reason = "suspended", reason


def reactivate(tenant, *, actor, reason=None):
    _require_status(tenant, ("suspended",))
    with _Change(tenant, "reactivated", actor, (reason or "").strip() or None):
        tenant.status, tenant.status_reason = _reopened(tenant, utcnow()), None


def rename(tenant, name, *, actor):
    name = (name or "").strip()
    if not name:
        _refuse("name", _("Company name is required."))
    if len(name) > 200:
        _refuse("name", _("At most %(max)s characters.", max=200))
    if name != tenant.name:
        with _Change(tenant, "renamed", actor):
            tenant.name = name


def assign(tenant, rep_id, *, actor, reason=None):
    """客户分配/转移: the company now belongs to ``rep_id`` (an active agency rep) and that rep's agency."""
    rep = db.session.get(PlatformUser, rep_id) if isinstance(rep_id, int) and not isinstance(rep_id, bool) else None
    if rep is None or rep.is_operator or not rep.active:
        _refuse("rep_id", _("Choose an active agency rep."))
    if actor is not None and not actor.is_operator and rep.agency_id != actor.agency_id:
        _refuse("rep_id", _("Choose an active agency rep."))
    with _Change(tenant, "assigned", actor, reason):
        tenant.agency_id, tenant.rep_id, tenant.rep_code = rep.agency_id, rep.id, rep.code


def expire_overdue(now=None):
    """Mark every open company whose end date has passed as ``expired``; returns their slugs.

    Run by the scheduler every hour (crm_saas/workers/scheduler.py); a
    company extended meanwhile has a later date and is left alone. Requests
    do not wait for it: ``effective_status`` already refuses work past the date.
    """
    now = now or utcnow()
    rows = db.session.execute(
        update(Tenant).where(Tenant.status.in_(OPEN), Tenant.expires_at.is_not(None), Tenant.expires_at <= now)
        .values(status="expired").returning(Tenant.id, Tenant.slug, Tenant.name, Tenant.expires_at)
    ).all()
    for tenant_id, _slug, name, ends in rows:
        db.session.add(PlatformLog(actor_name="system", action="expired", target_type="tenant", target_id=tenant_id,
                                   target_label=name[:200], tenant_id=tenant_id, before={"status": "open"},
                                   after={"status": "expired", "ends_at": ends.isoformat()}))
    db.session.commit()
    return sorted(slug for _id, slug, _name, _ends in rows)


# -- extension requests (客户延期) ------------------------------------------------------------------------------

def request_extension(tenant, days, reason, *, actor):
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 366:
        _refuse("days", _("Give a whole number of days from 1 to %(max)s.", max=366))
    reason = _reason(reason)
    _require_status(tenant, EXTENDABLE)
    if db.session.scalar(select(ExtensionRequest.id).where(ExtensionRequest.tenant_id == tenant.id,
                                                           ExtensionRequest.status == "pending")):
        _refuse("days", _("This company already has an extension request waiting."))
    row = ExtensionRequest(tenant_id=tenant.id, days=days, reason=reason, status="pending", requested_by=actor.id)
    db.session.add(row)
    db.session.flush()
    log_change("extension_requested", tenant, actor=actor, after={"days": days}, reason=reason)
    db.session.commit()
    return row


def may_decide_extensions(actor):
    """Operators, and agency supervisors or admins the operator allowed (``decides_extensions``)."""
    return actor.is_operator or (actor.decides_extensions and actor.role in ("admin", "supervisor"))


def decide_extension(row, approve_it, *, actor, reason=None):
    """Approve (the end date moves by the days asked, in the same transaction) or reject with a reason."""
    if row.status != "pending":
        _refuse("status", _("This request has already been decided."))
    tenant = row.tenant
    if approve_it:
        _require_status(tenant, EXTENDABLE)
        end = new_end(tenant, days=row.days)
    else:
        reason = _reason(reason)
    now = utcnow()
    with _Change(tenant, "extension_approved" if approve_it else "extension_rejected", actor, reason):
        row.status, row.decided_by, row.decided_at = ("approved" if approve_it else "rejected"), actor.id, now
        row.decision_reason = reason
        if approve_it:
            _apply_end(tenant, end, None, now)
    return row


# -- labels and mail --------------------------------------------------------------------------------------------

def status_label(status):
    """The status in the reader's words; the six are translated once a request (a list of 50 asks 50 times)."""
    labels = g.get("status_labels") if has_request_context() else None
    if labels is None:
        labels = {
            "pending": _("Waiting for approval"), "trial": _("Trial"), "active": pgettext("company status", "Active"),
            "expired": _("Expired"), "suspended": _("Suspended"), "rejected": _("Rejected"),
        }
        if has_request_context():
            g.status_labels = labels
    return labels.get(status, status)


def company_url(slug, path="/"):
    """An absolute address on a company's host, from a request (its scheme and port) or from the settings."""
    base = current_app.config["CRM_BASE_DOMAIN"]
    if has_request_context():
        port = request.host.partition(":")[2]
        host = f"{slug}.{base}:{port}" if port else f"{slug}.{base}"
        return f"{request.scheme}://{host}{path}"
    scheme = "https" if current_app.config["CRM_HTTPS"] else "http"
    return f"{scheme}://{slug}.{base}{path}"


def _tell_admin(tenant, event):
    """Email the company's contact that it was approved or turned down (queued; a missing mail server skips it)."""
    if not tenant.contact_email or not mail.configured():
        return
    with force_locale("zh_Hans_CN"):
        if event == "approved":
            subject = _("Your company %(name)s is open", name=tenant.name)
            body = _("Hello %(contact)s,\n\nyour company %(name)s has been approved. Sign in at %(link)s\n\n"
                     "Your trial ends on %(date)s.", contact=tenant.contact_name or "", name=tenant.name,
                     link=company_url(tenant.slug, "/login"), date=tenant.expires_at.date().isoformat())
        else:
            subject = _("Your application for %(name)s", name=tenant.name)
            body = _("Hello %(contact)s,\n\nwe could not approve the application for %(name)s.\n\nReason: %(reason)s",
                     contact=tenant.contact_name or "", name=tenant.name, reason=tenant.status_reason)
    try:
        mail.queue(tenant.contact_email, subject, body)
    except Exception:  # the change is made; a message that cannot be queued is logged, not a failure
        current_app.logger.exception("could not queue the company's email")


def reset_admin_password(tenant, password, *, actor):
    """Set the company's first administrator's password, to be changed at their next sign-in; their sessions
    and API tokens end. The company's row and the platform log change in one transaction.

    The one write the platform makes into a company's schema: the operator
    (or the company's agency rep) gives the password, never reads anything.
    """
    if not password:
        _refuse("password", _("Password is required."))
    if policy_errors(password):
        _refuse("password", " ".join(str(m) for m in policy_errors(password)))
    if tenant.status == "rejected":
        _require_status(tenant, SUSPENDABLE)
    tenant_id, name, schema = tenant.id, tenant.name, tenant.schema_name
    db.session.rollback()  # nothing of the caller's session rides along; this is its own transaction
    with db.engine.begin() as conn:
        tconn = conn.execution_options(schema_translate_map={TENANT_SCHEMA: schema})
        with Session(bind=tconn) as session:
            admin = session.scalar(select(User).where(User.role == "admin", User.active.is_(True))
                                   .order_by(User.id).limit(1))
            if admin is None:
                _refuse("password", _("This company has no active administrator."))
            set_password(admin, password, by_self=False)
            session.execute(update(ApiToken).where(ApiToken.user_id == admin.id, ApiToken.revoked_at.is_(None))
                            .values(revoked_at=utcnow()))
            session.add(PlatformLog(
                actor_id=getattr(actor, "id", None), actor_name=getattr(actor, "name", None) or "system",
                action="admin_password_reset", target_type="tenant", target_id=tenant_id, target_label=name[:200],
                tenant_id=tenant_id, before={}, after={"username": admin.username},
                ip=request.remote_addr if has_request_context() else None))
            session.flush()
