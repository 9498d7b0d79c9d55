"""The operator's agencies (A3): create one with its code prefix, edit its name, contact, status and bonus days.

One set of rules for the console's pages and the JSON API: each refusal
names its field, nothing is half saved, and each change writes a platform
log row (target ``agency``) in the same transaction. The prefix (two
letters of region, two digits of agency) begins every code of the
agency's reps, so it is fixed once the agency exists.
"""
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from crm_saas.core.errors import FieldErrors
from crm_saas.core.validators import is_cn_phone
from crm_saas.extensions import db
from crm_saas.tenants.agencies import PREFIX_RE
from crm_saas.tenants.lifecycle import log_change
from crm_saas.tenants.models import Agency

AGENCY_STATUSES = ("active", "suspended")
MAX_BONUS_DAYS = 365
FIELDS = ("name", "contact", "phone", "status", "bonus_trial_days")


def _text(data, key):
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def _bonus(value):
    """The bonus days as an int, or None when it is not a whole number 0-365 (a form sends text, the API an int)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_BONUS_DAYS:
        return None
    return value


def _check(data, *, creating):
    """``({field: [messages]}, {field: clean value})`` for the fields ``data`` names (all of them when creating)."""
    errors, clean = {}, {}
    if creating or "name" in data:
        name = _text(data, "name")
        if not name:
            errors["name"] = [_("Agency name is required.")]
        elif len(name) > 200:
            errors["name"] = [_("At most %(max)s characters.", max=200)]
        clean["name"] = name
    if "contact" in data:
        contact = _text(data, "contact")
        if len(contact) > 100:
            errors["contact"] = [_("At most %(max)s characters.", max=100)]
        clean["contact"] = contact or None
    if "phone" in data:
        phone = _text(data, "phone")
        if phone and not is_cn_phone(phone):
            errors["phone"] = [_("Phone: enter an 11-digit mobile number or a landline with area code.")]
        clean["phone"] = phone or None
    if creating or "status" in data:
        status = data.get("status") or ("active" if creating else None)
        if status not in AGENCY_STATUSES:
            errors["status"] = [_("Choose active or suspended.")]
        clean["status"] = status
    if creating or "bonus_trial_days" in data:
        raw = data.get("bonus_trial_days")
        bonus = 0 if creating and raw in (None, "") else _bonus(raw)
        if bonus is None:
            errors["bonus_trial_days"] = [_("Give a whole number of days from 0 to %(max)s.", max=MAX_BONUS_DAYS)]
        clean["bonus_trial_days"] = bonus
    return errors, clean


def _only_operators(actor):
    """Operators, or the command line (``actor`` None, logged as "system")."""
    if actor is not None and not actor.is_operator:
        raise FieldErrors({"agency": [_("Only the platform's operators manage agencies.")]})


def create_agency(data, actor):
    """A new agency with its prefix (``GD01``: two letters, two digits, unique). Commits; raises ``FieldErrors``."""
    _only_operators(actor)
    errors, clean = _check(data, creating=True)
    prefix = _text(data, "prefix").upper()
    if not prefix:
        errors["prefix"] = [_("Prefix is required.")]
    elif not PREFIX_RE.match(prefix):
        errors["prefix"] = [_("Two letters for the region, then two digits for the agency, e.g. GD01.")]
    elif db.session.scalar(select(Agency.id).where(Agency.prefix == prefix)) is not None:
        errors["prefix"] = [_("This prefix belongs to another agency.")]
    if errors:
        db.session.rollback()
        raise FieldErrors(errors)
    agency = Agency(prefix=prefix, **clean)
    db.session.add(agency)
    try:
        db.session.flush()
    except IntegrityError:  # another operator took the prefix a moment ago
        db.session.rollback()
        raise FieldErrors({"prefix": [_("This prefix belongs to another agency.")]}) from None
    log_change("agency_created", agency, actor=actor, target_type="agency",
               after={"prefix": prefix, **clean})
    db.session.commit()
    return agency


def update_agency(agency, data, actor):
    """Change what ``data`` names (name, contact, phone, status, bonus_trial_days). The prefix stays: the
    agency's codes are already in use. Commits; raises ``FieldErrors``."""
    _only_operators(actor)
    errors, clean = _check(data, creating=False)
    if "prefix" in data and _text(data, "prefix").upper() != agency.prefix:
        errors["prefix"] = [_("The prefix cannot change: the agency's codes begin with it.")]
    if errors:
        db.session.rollback()
        raise FieldErrors(errors)
    before, after = {}, {}
    for key in FIELDS:
        if key in clean and getattr(agency, key) != clean[key]:
            before[key], after[key] = getattr(agency, key), clean[key]
            setattr(agency, key, clean[key])
    if after:
        log_change("agency_updated", agency, actor=actor, target_type="agency", before=before, after=after)
    db.session.commit()
    return agency
