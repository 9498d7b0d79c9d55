"""Changing company settings: each change is stored with its operation-log entry, in one commit.

Roles and the permission matrix are ``roles.py``.
"""
from flask_babel import lazy_gettext as _l

from crm_saas.core.audit import record
from crm_saas.core.settings import SECRETS, get_setting, set_setting
from crm_saas.extensions import db

# What the operation log shows as the target of a settings change.
SETTING_LABELS = {
    "customer_approval": _l("Customers entered by reps need a supervisor's approval"),
    "role_permissions": _l("Permission matrix"),
    "customer_number_pattern": _l("Customer number pattern"),
    "customer_categories": _l("Customer categories"),
    "recycle_bin_days": _l("Days a deleted customer stays in the recycle bin"),
    "deal_rotting_days": _l("Days without a follow-up before a deal stands out"),
    "smtp": _l("Mail server for reminders"),
    "onboarding_done": _l("First-run checklist closed"),
    "webhook_allow_private": _l("Webhooks may reach private addresses"),
    "service_number_pattern": _l("Service request number pattern"),
    "service_due_hours": _l("Service due times per priority"),
}


def change_settings(values, *, actor):
    """Store the settings in ``values`` that differ from today's; returns the keys that changed."""
    changed = []
    for key, value in values.items():
        old = get_setting(key)
        if old == value:
            continue
        set_setting(key, value, actor=actor)
        record("setting_changed", None, actor=actor, target_type="setting", label=key, key=key,
               old=_loggable(key, old), new=_loggable(key, value))
        changed.append(key)
    db.session.commit()
    return changed


def _loggable(key, value):
    """Secrets inside a setting's value: the log says they changed, never what they are."""
    if key not in SECRETS or not isinstance(value, dict):
        return value
    return {**value, **{name: "********" for name in SECRETS[key] if value.get(name)}}
