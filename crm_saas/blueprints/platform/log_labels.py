"""How the console words its log and a company's status: action names, and before → after in a line.

The log keeps raw values (ISO times, ids, codes); this turns them into what
a reader recognises, in their language, without another query per row.
"""
from datetime import datetime

from flask_babel import lazy_gettext as _l

from crm_saas.core.templating import when
from crm_saas.tenants.lifecycle import status_label

ACTIONS = {
    "signed_up": _l("Signed up"), "filed": _l("Application filed"), "approved": _l("Approved"),
    "rejected": _l("Rejected"), "extended": _l("End date changed"), "suspended": _l("Suspended"),
    "reactivated": _l("Reactivated"), "renamed": _l("Renamed"), "assigned": _l("Assigned to a rep"),
    "admin_password_reset": _l("Administrator's password reset"), "expired": _l("Expired"),
    "extension_requested": _l("Extension requested"), "extension_approved": _l("Extension approved"),
    "extension_rejected": _l("Extension rejected"), "setup_link_sent": _l("Password link sent"),
    "classified": _l("Classified"), "binned": _l("Moved to the recycle bin"),
    "unbinned": _l("Restored from the recycle bin"), "agency_created": _l("Agency created"),
    "agency_updated": _l("Agency changed"), "staff_added": _l("Agency person added"),
    "staff_updated": _l("Agency person changed"), "staff_moved": _l("Agency person moved"),
    "staff_departed": _l("Agency person left"), "settings_changed": _l("Platform settings changed"),
}
KEYS = {
    "name": _l("Name"), "status": _l("Status"), "paid": _l("Paid"), "ends_at": _l("Ends"),
    "rep_code": _l("Rep"), "agency_id": _l("Agency"), "days": _l("Days"), "category": _l("Category"),
    "username": _l("Username"), "to": _l("To"), "code": _l("Code"), "role": _l("Role"),
    "prefix": _l("Prefix"), "contact": _l("Contact person"), "phone": _l("Phone"),
    "bonus_trial_days": _l("Bonus trial days"), "trial_days": _l("Trial length (days)"),
    "approval_required": _l("Approval required"), "contact_name": _l("Contact name"),
    "contact_phone": _l("Contact phone"), "contact_email": _l("Contact email"),
}
HIDDEN = {"rep_id", "superior_id", "handover_to"}  # ids: the readable value (code, name) is logged beside them


def action_label(action):
    return ACTIONS.get(action, action)


def _value(key, value, agencies):
    if value is None or value == "":
        return "—"
    if key == "status":
        return status_label(value)
    if key == "ends_at" and isinstance(value, str):
        try:
            return when(datetime.fromisoformat(value))
        except ValueError:
            return value
    if key == "agency_id":
        return agencies.get(value, f"#{value}")
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return str(value)


def changes(entry, agencies=None):
    """``[(label, before, after)]`` of what the entry changed (only the keys whose value moved)."""
    before, after, agencies = entry.before or {}, entry.after or {}, agencies or {}
    rows = []
    for key in list(dict.fromkeys([*before, *after])):
        if key in HIDDEN or before.get(key) == after.get(key):
            continue
        old = _value(key, before[key], agencies) if key in before else None
        rows.append((KEYS.get(key, key), old, _value(key, after.get(key), agencies)))
    return rows


BADGES = {"pending": "bg-yellow-lt", "trial": "bg-blue-lt", "active": "bg-green-lt", "expired": "bg-red-lt",
          "suspended": "bg-orange-lt", "rejected": "bg-secondary-lt"}


def status_class(status):
    return BADGES.get(status, "bg-secondary-lt")
