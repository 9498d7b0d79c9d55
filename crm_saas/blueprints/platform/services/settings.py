"""The operator's platform settings, checked and saved with their log row (before and after) in one transaction."""
from flask_babel import gettext as _

from crm_saas.core.errors import FieldErrors
from crm_saas.core.validators import is_cn_phone, is_email
from crm_saas.extensions import db
from crm_saas.tenants.lifecycle import log_change
from crm_saas.tenants.platform_settings import platform_settings, set_platform_settings

MAX_TRIAL_DAYS = 365


def _text(data, key):
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def _check(data):
    errors, clean = {}, {}
    if "approval_required" in data:
        if not isinstance(data["approval_required"], bool):
            errors["approval_required"] = [_("Choose yes or no.")]
        clean["approval_required"] = data["approval_required"]
    if "trial_days" in data:
        days = data["trial_days"]
        if isinstance(days, str) and days.strip().isdigit():
            days = int(days.strip())
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_TRIAL_DAYS:
            errors["trial_days"] = [_("Give a whole number of days from 1 to %(max)s.", max=MAX_TRIAL_DAYS)]
        clean["trial_days"] = days
    if "contact_name" in data:
        if len(_text(data, "contact_name")) > 100:
            errors["contact_name"] = [_("At most %(max)s characters.", max=100)]
        clean["contact_name"] = _text(data, "contact_name")
    if "contact_phone" in data:
        if _text(data, "contact_phone") and not is_cn_phone(_text(data, "contact_phone")):
            errors["contact_phone"] = [_("Phone: enter an 11-digit mobile number or a landline with area code.")]
        clean["contact_phone"] = _text(data, "contact_phone")
    if "contact_email" in data:
        if _text(data, "contact_email") and not is_email(_text(data, "contact_email")):
            errors["contact_email"] = [_("Enter a valid email address.")]
        clean["contact_email"] = _text(data, "contact_email")
    return errors, clean


def save_settings(data, *, actor):
    """Store the settings ``data`` names (approval_required, trial_days 1-365, contact_name/phone/email); returns
    the settings now. Raises ``FieldErrors`` and saves nothing when any is wrong."""
    if actor is None or not actor.is_operator:
        raise FieldErrors({"settings": [_("Only the platform's operators change its settings.")]})
    errors, clean = _check(data)
    if errors:
        raise FieldErrors(errors)
    current = platform_settings()
    changed = {key: value for key, value in clean.items() if current.get(key) != value}
    if changed:
        set_platform_settings(changed)
        log_change("settings_changed", None, actor=actor, target_type="settings", label="platform settings",
                   before={key: current.get(key) for key in changed}, after=changed)
        db.session.commit()
    return platform_settings()
