"""An agency rep's own CRM over their companies (seed 003 下篇): contact log, classification, recycle bin.

The contact log and classification are platform facts about a client
company, kept in the public schema; nothing here reads the company's data.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.activities.services.times import parse_time
from crm_saas.core.base import utcnow
from crm_saas.core.errors import FieldErrors
from crm_saas.extensions import db
from crm_saas.tenants.lifecycle import log_change
from crm_saas.tenants.models import AgencyContact

WAYS = {"phone": _l("Phone call"), "visit": _l("Visit"), "wechat": _l("WeChat"), "email": _l("Email"),
        "other": _l("Other")}


def _when(value, field, errors):
    """An aware time from a form's ``datetime-local`` or the API's ISO 8601; without an offset it is China time,
    as the console shows times (the company side's one parser), never UTC: "now" typed in Beijing is not the
    future."""
    if value in (None, ""):
        return None
    parsed = parse_time(value)
    if parsed is None:
        errors[field] = [_("Enter a date and time.")]
    return parsed


def add_contact(tenant, data, *, actor):
    """添加联系记录: when (default now), way, summary, next contact; commits. Raises ``FieldErrors``."""
    errors = {}
    occurred = _when(data.get("occurred_at"), "occurred_at", errors) or utcnow()
    if "occurred_at" not in errors and occurred > utcnow():
        errors["occurred_at"] = [_("A contact cannot be in the future.")]
    way = data.get("way") or "phone"
    if way not in WAYS:
        errors["way"] = [_("Choose how you were in touch.")]
    summary = (data.get("summary") or "").strip() if isinstance(data.get("summary"), str) else ""
    if not summary:
        errors["summary"] = [_("Summary is required.")]
    elif len(summary) > 2000:
        errors["summary"] = [_("At most %(max)s characters.", max=2000)]
    following = _when(data.get("next_contact_at"), "next_contact_at", errors)
    if following is not None and "next_contact_at" not in errors and following <= occurred:
        errors["next_contact_at"] = [_("The next contact must come after this one.")]
    if errors:
        raise FieldErrors(errors)
    row = AgencyContact(tenant_id=tenant.id, occurred_at=occurred, way=way, summary=summary,
                        next_contact_at=following, created_by=actor.id)
    db.session.add(row)
    db.session.commit()
    return row


def contacts_of(tenant):
    """The company's contact log, newest first, with who wrote each entry."""
    return db.session.scalars(select(AgencyContact).where(AgencyContact.tenant_id == tenant.id)
                              .options(selectinload(AgencyContact.author))
                              .order_by(AgencyContact.occurred_at.desc(), AgencyContact.id.desc())).all()


def classify(tenant, category, *, actor):
    """客户分类: a label of the rep's choosing (empty clears it); commits. Raises ``FieldErrors`` (``category``)."""
    category = (category.strip() if isinstance(category, str) else "") or None
    if category is not None and len(category) > 50:
        raise FieldErrors({"category": [_("At most %(max)s characters.", max=50)]})
    if category != tenant.category:
        log_change("classified", tenant, actor=actor, before={"category": tenant.category},
                   after={"category": category})
        tenant.category = category
        db.session.commit()


def to_bin(tenant, *, actor):
    """Out of the rep's list into their recycle bin; the company itself goes on as before."""
    if tenant.binned_at is None:
        tenant.binned_at = utcnow()
        log_change("binned", tenant, actor=actor)
        db.session.commit()


def from_bin(tenant, *, actor):
    if tenant.binned_at is not None:
        tenant.binned_at = None
        log_change("unbinned", tenant, actor=actor)
        db.session.commit()
