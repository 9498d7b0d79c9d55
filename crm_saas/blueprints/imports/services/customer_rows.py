"""A customer row as the customer rules take it: the API's shape for a new one, a PATCH for an update.

``CustomerRows.new`` builds what ``validate_customer`` judges (C5) for a
customer with its main contact; ``CustomerRows.changes`` builds the changes
an update makes from the cells the file fills, nothing else (the rest of
the customer stays as it is), judged by ``update_errors`` as an API PATCH
would be. Errors come back keyed by import field (``contact_phone``), the
name the mapping page and the error list use.
"""
from flask_babel import gettext as _

from crm_saas.blueprints.activities.services.times import company_tz
from crm_saas.blueprints.custom_fields.services import definitions
from crm_saas.blueprints.customers.services import editable_data, update_errors
from crm_saas.blueprints.customers.services.codes import CONTACT_ROLES, CUSTOMER_TYPES, INDUSTRIES, SOURCES
from crm_saas.blueprints.customers.services.validation import validate_customer
from crm_saas.blueprints.imports.services.values import (
    Campaigns,
    Choices,
    People,
    complete_region,
    parse_datetime,
    present,
    split_list,
    text,
)

SCALARS = ("name", "industry_note", "category", "size", "address", "remarks", "needs", "goals", "past_dealings")
REGION = ("province", "city", "district")
CONTACT = ("name", "title", "phone", "email", "wechat", "role")
EXTERNAL_REF_MAX = 100
# Words spreadsheets use for the default codes, beyond their labels (which are read in both languages anyway).
INDUSTRY_WORDS = {"IT": "it", "互联网": "it", "软件": "it", "制造": "manufacturing", "零售": "retail",
                  "贸易": "retail", "商贸": "retail", "银行": "finance", "服务": "services"}
TYPE_WORDS = {"潜在": "potential", "意向": "intent", "成交": "closed", "流失": "lost"}
SOURCE_WORDS = {"线上": "online_inquiry", "网络": "online_inquiry", "展会": "exhibition", "转介绍": "referral",
                "介绍": "referral", "陌拜": "outbound", "主动开发": "outbound", "活动": "campaign"}


def import_field(rule_field):
    """The import field a rule's error names: ``contacts.0.phone`` -> ``contact_phone``, ``tags.3`` -> ``tags``."""
    parts = rule_field.split(".")
    if parts[0] == "contacts":
        return f"contact_{parts[2]}" if len(parts) > 2 else "contact_name"
    if parts[0] == "tags":
        return "tags"
    return "campaign" if rule_field == "campaign_id" else rule_field


def _merge(errors, found):
    for field, messages in found.items():
        errors.setdefault(import_field(field), []).extend(str(m) for m in messages)
    return errors


class CustomerRows:
    def __init__(self, actor):
        self.actor = actor
        self.people = People(actor)
        self.campaigns = Campaigns()
        self.choices = {
            "industry": Choices(INDUSTRIES, INDUSTRY_WORDS), "type": Choices(CUSTOMER_TYPES, TYPE_WORDS),
            "source": Choices(SOURCES, SOURCE_WORDS), "contact_role": Choices(CONTACT_ROLES),
        }
        self.custom = {d.key: d for d in definitions("customer")}

    def _choice(self, values, key):
        return self.choices[key].code(values[key]) if present(values, key) else None

    def _custom(self, values):
        custom = {}
        for key, definition in self.custom.items():
            cell = values.get(f"custom.{key}")
            if present(values, f"custom.{key}"):
                custom[key] = self._custom_value(definition, cell)
        return custom

    @staticmethod
    def _custom_value(definition, cell):
        if definition.type == "multichoice":
            return split_list(cell)
        if definition.type == "date":
            when = parse_datetime(cell)
            return when.date().isoformat() if when else text(cell)
        if definition.type == "number" and isinstance(cell, (int, float)):
            return cell
        return text(cell)

    def _contact(self, values):
        contact = {field: text(values.get(f"contact_{field}")) for field in CONTACT if field != "role"}
        contact["role"] = self._choice(values, "contact_role")
        return contact

    def new(self, values):
        """``(data, extra, errors)``: the customer for ``validate_customer``, what the rules do not cover
        (owner, the file's id, creation date), and every problem by import field."""
        data = {field: text(values.get(field)) for field in SCALARS}
        for key in ("industry", "type", "source"):
            data[key] = self._choice(values, key)
        data.update(zip(REGION, complete_region(*(text(values.get(k)) for k in REGION)), strict=True))
        data["tags"] = split_list(values["tags"]) if present(values, "tags") else []
        contact = self._contact(values)
        data["contacts"] = [{**contact, "primary": True}] if any(contact.values()) else []
        data["custom"] = self._custom(values)
        extra, errors = self._extra(values)
        data["campaign_id"] = self._campaign(values, errors)
        return data, extra, _merge(errors, validate_customer(data))

    def _campaign(self, values, errors):
        """The id of the campaign the row names (None for none, or for a name that is none: then an error)."""
        if not present(values, "campaign"):
            return None
        campaign_id, error = self.campaigns.find(values["campaign"])
        if error:
            errors["campaign"] = [error]
        return campaign_id

    def _extra(self, values):
        extra, errors = {"owner_id": self.actor.id}, {}
        if present(values, "owner"):
            extra["owner_id"] = self.people.find(values["owner"])
            if extra["owner_id"] is None:
                errors["owner"] = [self.people.message(values["owner"])]
        ref = text(values.get("customer_ref"))
        if ref and len(ref) > EXTERNAL_REF_MAX:
            errors["customer_ref"] = [_("At most %(max)d characters.", max=EXTERNAL_REF_MAX)]
        extra["external_ref"] = ref
        if present(values, "created_at"):
            when = parse_datetime(values["created_at"])
            extra["created_at"] = when.replace(tzinfo=company_tz()) if when else None
            if when is None:
                errors["created_at"] = [_("Enter a date (for example 2023-01-15).")]
        return extra, errors

    def changes(self, values, customer):
        """``(changes, errors)``: the fields the row fills, as a PATCH of ``customer``, judged by its rules."""
        changes = {field: text(values[field]) for field in SCALARS if present(values, field)}
        for key in ("industry", "type", "source"):
            if present(values, key):
                changes[key] = self._choice(values, key)
        if any(present(values, k) for k in REGION):
            given = [text(values[k]) if present(values, k) else getattr(customer, k) for k in REGION]
            changes.update(zip(REGION, complete_region(*given), strict=True))
        if present(values, "tags"):
            changes["tags"] = split_list(values["tags"])
        custom = self._custom(values)
        if custom:
            changes["custom"] = custom
        errors = {}
        if present(values, "campaign"):
            changes["campaign_id"] = self._campaign(values, errors)
            if changes["campaign_id"] is None:
                del changes["campaign_id"]  # an unknown name changes nothing: it is the row's error
        contact = {k: v for k, v in self._contact(values).items() if v is not None}
        if contact:
            changes["contacts"] = _with_main_contact(customer, contact)
        ref = text(values.get("customer_ref"))
        if ref and len(ref) > EXTERNAL_REF_MAX:
            errors["customer_ref"] = [_("At most %(max)d characters.", max=EXTERNAL_REF_MAX)]
        return changes, _merge(errors, update_errors(customer, changes, actor=self.actor, partial_custom=True))


def _with_main_contact(customer, filled):
    """The customer's contacts with the main one's filled fields replaced (a new main one if it had none)."""
    contacts = editable_data(customer)["contacts"]
    main = next((c for c in contacts if c.get("primary")), None)
    if main is None:
        return [*contacts, {**filled, "primary": not contacts}] if contacts else [{**filled, "primary": True}]
    main.update(filled)
    return contacts
