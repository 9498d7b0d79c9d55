"""Changing company settings: each change is stored with its operation-log entry, in one commit."""
from flask_babel import lazy_gettext as _l

from crm_saas.core.audit import record
from crm_saas.core.permissions import PERMISSIONS
from crm_saas.core.settings import SECRETS, get_setting, set_setting
from crm_saas.extensions import db

# Roles whose rights the matrix edits; admins hold every right and have no column to edit.
EDITABLE_ROLES = ("supervisor", "rep")

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


def role_matrix():
    """``{role: set of permission codes}`` for the roles the matrix edits."""
    current = get_setting("role_permissions")
    return {role: set(current.get(role, ())) & set(PERMISSIONS) for role in EDITABLE_ROLES}


def change_permissions(matrix, *, actor):
    """Replace the rights of supervisors and reps; returns what was granted and revoked per role.

    Unknown codes are dropped rather than stored, so a stale form cannot plant
    a right the code does not know. The log entry names each grant and
    revocation: "who gave reps export, and when" must be answerable.
    """
    before = role_matrix()
    after = {role: set(matrix.get(role) or ()) & set(PERMISSIONS) for role in EDITABLE_ROLES}
    granted = {role: sorted(after[role] - before[role]) for role in EDITABLE_ROLES if after[role] - before[role]}
    revoked = {role: sorted(before[role] - after[role]) for role in EDITABLE_ROLES if before[role] - after[role]}
    if granted or revoked:
        order = list(PERMISSIONS)
        value = {role: sorted(after[role], key=order.index) for role in EDITABLE_ROLES}
        set_setting("role_permissions", value, actor=actor)
        record("permissions_changed", None, actor=actor, target_type="setting", label="role_permissions",
               granted=granted, revoked=revoked)
        db.session.commit()
    return granted, revoked
