"""How customers read on pages: masked contact details, custom values, change-log entries.

Template globals, so every page that shows a phone number shows it through
the privacy rule, and the change log reads in the viewer's language however
it was stored.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm_saas.blueprints.custom_fields.services import definitions, display_value
from crm_saas.blueprints.customers.blueprint import bp
from crm_saas.blueprints.customers.services import codes
from crm_saas.blueprints.customers.services.privacy import ContactReader
from crm_saas.blueprints.customers.services.shares import ACCESS_LABELS
from crm_saas.core.campaign_refs import campaign_name

ACTIONS = {
    "created": _l("Added"), "updated": _l("Edited"), "transferred": _l("Transferred"),
    "transfer_requested": _l("Transfer requested"), "transfer_rejected": _l("Transfer rejected"),
    "deleted": _l("Moved to the recycle bin"), "restored": _l("Restored"), "merged": _l("Merged"),
    "approved": _l("Approved"), "rejected": _l("Rejected"), "field_deleted": _l("Custom field deleted"),
    # C11, the lead pool
    "pooled": _l("Back to the lead pool"), "claimed": _l("Claimed from the lead pool"),
    "assigned": _l("Assigned from the lead pool"), "protection_requested": _l("More days asked for"),
    "protection_extended": _l("More days granted"), "protection_rejected": _l("More days refused"),
    "shared": _l("Shared"), "unshared": _l("Sharing stopped"), "share_ended": _l("Sharing ended"),
}
SPECIAL_FIELDS = {
    "contact.added": _l("Contact added"), "contact.removed": _l("Contact removed"),
    "merged_from": _l("Merged in"), "status": codes.FIELD_LABELS["status"],
    "protected_until": _l("Protected until"), "share": _l("Shared with"),
}
CODED = {"type": codes.CUSTOMER_TYPES, "industry": codes.INDUSTRIES, "source": codes.SOURCES,
         "size": codes.SIZES, "status": codes.STATUSES, "contact.role": codes.CONTACT_ROLES, "share": ACCESS_LABELS}


# G1: a customer's or deal's campaign by name, on any page that shows one (core.campaign_refs reads it).
bp.add_app_template_global(campaign_name, "campaign_name")


def _campaign_words(campaign_id):
    """A campaign id kept in the log or on a record, as its name (or "#7" for one deleted since)."""
    return campaign_name(campaign_id) or (f"#{campaign_id}" if campaign_id is not None else "")


@bp.app_template_global()
def contact_phone(customer, contact):
    return ContactReader(current_user).phone(customer.owner_id, contact.phone)


@bp.app_template_global()
def contact_email(customer, contact):
    return ContactReader(current_user).email(customer.owner_id, contact.email)


@bp.app_template_global()
def custom_value(definition, value):
    return display_value(definition, value)


@bp.app_template_global()
def field_value(field, value):
    """A customer's stored ``value`` of ``field`` as words: the label of a code (industry ``it`` reads IT)."""
    if value is None or value == "":
        return ""
    if field == "campaign_id":
        return _campaign_words(value)
    return str(codes.label(CODED[field], value)) if field in CODED else value


@bp.app_template_global()
def change_action(change):
    return ACTIONS.get(change.action, change.action)


@bp.app_template_global()
def change_field(change):
    field = change.field or ""
    if field in SPECIAL_FIELDS:
        return SPECIAL_FIELDS[field]
    if field.startswith("custom."):
        return change.label or field[7:]
    if field.startswith("contact."):
        return codes.CONTACT_FIELD_LABELS.get(field[8:], field)
    return codes.FIELD_LABELS.get(field, field)


@bp.app_template_global()
def change_value(change, customer, value):
    """``value`` (the entry's old or new) as the viewer may read it."""
    if value is None or value == "" or value == []:
        return ""
    field = change.field or ""
    value = ContactReader(current_user).change_value(customer, field, value)
    if field in CODED:
        return str(codes.label(CODED[field], value))
    if field == "campaign_id":
        return _campaign_words(value)
    if field in ("contact.added", "contact.removed") and isinstance(value, dict):
        return " ".join(str(part) for part in (value.get("name"), value.get("title"), value.get("phone")) if part)
    if field == "merged_from" and isinstance(value, dict):
        return f"{value.get('number', '')} {value.get('name', '')}".strip()
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field.startswith("custom."):
        return _custom_change(field[7:], value)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _custom_change(key, value):
    definition = next((d for d in definitions("customer") if d.key == key), None)
    if definition is None:  # the field was deleted since: show the value as it was stored
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return display_value(definition, value)
