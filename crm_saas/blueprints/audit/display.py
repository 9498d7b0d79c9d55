"""How log rows read: action codes, login results and change details in the reader's language.

The log stores codes and raw values (so it reads right in either language,
and after labels change); this module turns them into words at display time.
A code nobody gave a label shows as itself rather than disappearing.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from crm_saas.blueprints.custom_fields.services import ENTITIES, TYPES
from crm_saas.blueprints.pipeline.services.stages import KINDS
from crm_saas.blueprints.settings.services import SETTING_LABELS
from crm_saas.core.permissions import PERMISSIONS, role_label

ACTION_LABELS = {
    "staff_created": _l("Staff member added"),
    "staff_updated": _l("Staff member edited"),
    "staff_moved": _l("Staff member moved in the tree"),
    "staff_deactivated": _l("Staff member deactivated"),
    "staff_reactivated": _l("Staff member reactivated"),
    "setting_changed": _l("Setting changed"),
    "permissions_changed": _l("Permissions changed"),
    "role_created": _l("Role added"),
    "role_renamed": _l("Role renamed"),
    "role_deleted": _l("Role deleted"),
    "customer_approved": _l("Customer approved"),
    "customer_rejected": _l("Customer rejected"),
    "customer_transferred": _l("Customer transferred"),
    "profile_updated": _l("Own profile edited"),
    "password_reset": _l("Password reset through an emailed link"),
    "transfer_requested": _l("Transfer requested"),
    "transfer_rejected": _l("Transfer rejected"),
    "customer_deleted": _l("Customer moved to the recycle bin"),
    "customer_restored": _l("Customer restored"),
    "customer_purged": _l("Customer deleted for good"),
    "customers_merged": _l("Customers merged"),
    "customer_released": _l("Customer released to the lead pool"),
    "customers_claimed": _l("Customers claimed from the lead pool"),
    "customers_assigned": _l("Customers assigned from the lead pool"),
    "protection_extended": _l("More days granted before the lead pool"),
    "pool_created": _l("Lead pool added"),
    "pool_updated": _l("Lead pool changed"),
    "customer_shared": _l("Customer shared with a colleague"),
    "customer_unshared": _l("Customer no longer shared"),
    "customer_share_ended": _l("Customer share ended"),
    "customers_exported": _l("Selected customers exported"),
    "attachment_added": _l("File attached"),
    "attachment_deleted": _l("File deleted"),
    "custom_field_created": _l("Custom field added"),
    "custom_field_updated": _l("Custom field edited"),
    "custom_field_deleted": _l("Custom field deleted"),
    "custom_fields_reordered": _l("Custom fields reordered"),
    "pipeline_created": _l("Pipeline added"),
    "pipeline_renamed": _l("Pipeline renamed"),
    "pipeline_made_default": _l("Default pipeline changed"),
    "pipeline_deleted": _l("Pipeline deleted"),
    "stage_added": _l("Stage added"),
    "stage_updated": _l("Stage edited"),
    "stages_reordered": _l("Stages reordered"),
    "stage_removed": _l("Stage removed"),
    "target_set": _l("Sales target set"),
    "target_changed": _l("Sales target changed"),
    "target_deleted": _l("Sales target deleted"),
    "webhook_created": _l("Webhook endpoint added"),
    "webhook_updated": _l("Webhook endpoint changed"),
    "webhook_deleted": _l("Webhook endpoint deleted"),
    "webhook_secret_rotated": _l("Webhook secret replaced"),
}

LOGIN_RESULTS = {
    "ok": _l("Logged in"),
    "bad_credentials": _l("Wrong username or password"),
    "locked": _l("Account locked"),
    "throttled": _l("Refused: too many attempts"),
    "inactive": _l("Account disabled"),
}

CHANNELS = {"web": _l("Web"), "api": _l("API")}

FIELD_LABELS = {
    "name": _l("Name"), "username": _l("Username"), "code": _l("Staff code"), "phone": _l("Phone"),
    "title": _l("Title"), "region": _l("Region"), "role": _l("Role"), "superior_id": _l("Superior"),
    "locale": _l("Language"), "password": _l("Password"), "email": _l("Email"), "owner_id": _l("Owner"),
    "note": _l("Reason"),
    "reason": _l("Reason"), "handover_name": _l("Handed over to"), "moved": _l("Records moved"),
    "subordinates_moved_up": _l("Subordinates moved up"), "granted": _l("Granted"), "revoked": _l("Revoked"),
    "customers": _l("Customers"), "deals": _l("Deals"), "tasks": _l("Tasks"),
    "service_requests": _l("Service requests"), "campaigns": _l("Campaigns"), "segments": _l("Segments"),
    "campaign_members": _l("Campaign members"),
    "file": _l("File"), "files": _l("Files"), "merged_number": _l("Merged customer number"),
    "merged_name": _l("Merged customer name"), "from_id": _l("From"), "to_id": _l("To"),
    "entity": _l("Record type"), "type": _l("Type"), "label": _l("Label"), "required": _l("Required"),
    "options": _l("Options"), "records": _l("Records holding a value"), "order": _l("Order"),
    "position": _l("Position"),
    "kind": _l("Kind"), "probability": _l("Default probability"), "stages": _l("Stages"),
    "kept_for_history": _l("Kept for the stage history"),
    "rights": _l("Rights"),
}
# Ids kept for machines; the names beside them are what people read.
HIDDEN_DETAILS = {"handover_to", "key", "old", "new"}
LANGUAGES = {"zh_CN": "中文", "en": "English"}
PEOPLE_FIELDS = {"superior_id", "owner_id", "from_owner_id", "to_owner_id", "from_id", "to_id"}


def action_label(code):
    return str(ACTION_LABELS[code]) if code in ACTION_LABELS else code


def target_label(entry):
    """Settings are logged by key; people and customers by the name they had at the time."""
    if entry.target_type == "setting":
        return str(SETTING_LABELS.get(entry.target_label, entry.target_label))
    return entry.target_label


def login_result(event):
    return str(LOGIN_RESULTS.get(event.reason, event.reason))


def people_ids(entries):
    """Every person id the details of ``entries`` mention, to name them all with one query."""
    ids = set()
    for entry in entries:
        details = entry.details or {}
        for key in PEOPLE_FIELDS & set(details):
            ids.add(details[key])
        for key, change in (details.get("changes") or {}).items():
            if key in PEOPLE_FIELDS and isinstance(change, list):
                ids.update(change)
    return {i for i in ids if isinstance(i, int)}


def summary(entry, names):
    """One line for a log row's details, e.g. "Phone: — → 13800138000; Role: Sales rep → Supervisor"."""
    details = entry.details or {}
    parts = []
    if entry.action == "setting_changed":
        parts.append(f"{_value(details.get('old'), None, names)} → {_value(details.get('new'), None, names)}")
    for key, change in (details.get("changes") or {}).items():
        if isinstance(change, list) and len(change) == 2:
            text = f"{_value(change[0], key, names)} → {_value(change[1], key, names)}"
        else:
            text = _("reset") if change == "reset" else _value(change, key, names)
        parts.append(f"{_field(key)}: {text}")
    for key, value in details.items():
        if key in HIDDEN_DETAILS or key == "changes":
            continue
        parts.append(f"{_field(key)}: {_value(value, key, names)}")
    return "; ".join(parts)


def _field(key):
    return str(FIELD_LABELS.get(key, key))


def _value(value, key, names):
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key in PEOPLE_FIELDS and isinstance(value, int):
        return names.get(value, f"#{value}")
    if key == "role":
        return str(role_label(value))
    if key == "locale":
        return LANGUAGES.get(value, value)
    if key == "kind":
        return str(KINDS.get(value, value))
    if key == "type":  # a custom field's
        return str(TYPES.get(value, value))
    if key == "entity":
        return str(ENTITIES.get(value, value))
    if key in ("granted", "revoked") and isinstance(value, dict):
        return ", ".join(f"{role_label(role)} ({', '.join(str(PERMISSIONS.get(c, c)) for c in codes)})"
                         for role, codes in value.items())
    if key == "rights" and isinstance(value, list):
        return ", ".join(str(PERMISSIONS.get(c, c)) for c in value)
    if isinstance(value, dict):
        return ", ".join(f"{_field(k)} {_value(v, k, names)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_value(v, key, names) for v in value)
    return str(value)
