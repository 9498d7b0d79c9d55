"""The customer rules (C2, C3, C4, C5), in one place for the web form and the API.

``validate_customer`` takes plain data, the shape the API speaks (contacts as
a list of dicts, custom values as ``custom: {key: value}``), and returns every
broken rule at once as ``{field: [messages]}``; contact fields are named
``contacts.<i>.<field>`` and custom fields ``custom.<key>``. The web form maps
those names back to its own fields, the API answers them as a 422, so a rule
changed here changes both.

Values of the wrong JSON type (a number for a name, a string for the contact
list) are left to the API's schema, which reports them; only text, lists and
dicts are judged here, so the same field is never reported twice.
"""
import re

from flask_babel import gettext as _

from crm_saas.blueprints.custom_fields.services import clean_values
from crm_saas.blueprints.customers.services.codes import (
    CONTACT_FIELD_LABELS,
    CONTACT_ROLES,
    CUSTOMER_TYPES,
    FIELD_LABELS,
    INDUSTRIES,
    SOURCES,
)
from crm_saas.core.campaign_refs import campaign_exists
from crm_saas.core.regions import region_errors
from crm_saas.core.settings import get_setting
from crm_saas.core.validators import is_cn_phone, is_email, resident_id_errors

MAX_LENGTHS = {
    "name": 200, "industry_note": 200, "size": 40, "address": 300,
    "remarks": 2000, "needs": 2000, "goals": 2000, "past_dealings": 2000,
}
CONTACT_MAX_LENGTHS = {"name": 100, "title": 100, "email": 200}
# Free text where a resident ID number could be typed, and is refused (C12).
FREE_TEXT = ("name", "industry_note", "size", "address", "remarks", "needs", "goals", "past_dealings")
CONTACT_FREE_TEXT = ("name", "title", "wechat")
TAG_MAX_LENGTH = 40
TAGS_MAX = 20
# A WeChat ID: 6-20 letters, digits, _ or -, starting with a letter; a mobile number bound to WeChat also works.
_WECHAT = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{5,19}$")
_TRUE = (True, 1, "1", "true", "True", "yes", "on", "y")


def validate_customer(data, *, partial_custom=False):
    """Every rule ``data`` breaks, by field name; empty when the customer may be saved.

    ``partial_custom``: judge only the custom values present (an API PATCH),
    not the required ones left out.
    """
    errors = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if _text(data.get("name")) == "":
        add("name", _("Customer name is required."))
    _choice(data, "industry", INDUSTRIES, _("Industry is required."), add)
    if _text(data.get("industry")) == "other" and _text(data.get("industry_note")) == "":
        add("industry_note", _("Describe the industry when choosing Other."))
    if _text(data.get("type")) != "":  # absent means the default, potential
        _choice(data, "type", CUSTOMER_TYPES, None, add)
    _choice(data, "source", SOURCES, _("Source is required."), add)
    if _text(data.get("category")):
        _choice(data, "category", _categories(), None, add)
    for field, limit in MAX_LENGTHS.items():
        _max_length(field, data.get(field), limit, add, FIELD_LABELS[field])
    _no_resident_ids(data, {field: FIELD_LABELS[field] for field in FREE_TEXT}, add)
    if all(isinstance(data.get(key), (str, type(None))) for key in ("province", "city", "district")):
        for field, messages in region_errors(*(_text(data.get(k)) for k in ("province", "city", "district"))).items():
            errors.setdefault(field, []).extend(messages)
    _tags(data.get("tags"), add)
    _contacts(data.get("contacts"), add)
    _campaign(data.get("campaign_id"), add)
    custom = data.get("custom")
    if custom is None:  # none sent: the required fields are still missing
        custom = {}
    if isinstance(custom, dict):
        errors.update(clean_values("customer", custom, partial=partial_custom)[1])
    return errors


def is_primary(contact):
    """The API says ``primary``; older callers (and the model) say ``is_primary``."""
    return contact.get("primary", contact.get("is_primary")) in _TRUE


def contact_errors(contact, *, primary=False):
    """The rules one contact breaks, by its own field (``name``, ``phone`` ...): what an import of extra
    contacts judges a row by, the same rules the form applies to each contact of the list."""
    errors = {}

    def add(field, message):
        errors.setdefault(field.split(".", 1)[1], []).append(message)

    _contact("contact", contact, primary, add)
    return errors


def is_wechat(value):
    return bool(_WECHAT.match(value)) or is_cn_phone(value)


def clean_tags(tags):
    """Trimmed, non-empty, each once, in the order given."""
    return list(dict.fromkeys(t.strip() for t in tags or () if isinstance(t, str) and t.strip()))


def _categories():
    return {label: label for label in get_setting("customer_categories")}


def _campaign(campaign_id, add):
    """G1: the campaign the customer came from, if any, is one of the company's (of any status: an old one
    a customer holds may stay). Whatever the source says: a referral met at a campaign's fair is both.

    Read through ``core.campaign_refs`` because customers sit below the campaigns feature (the layers)."""
    if campaign_id is None or campaign_id == "":
        return
    if isinstance(campaign_id, int) and not isinstance(campaign_id, bool) and not campaign_exists(campaign_id):
        add("campaign_id", _("Choose a campaign from the list."))
    # Any other type is the API schema's to report (module docstring).


def _tags(tags, add):
    if not isinstance(tags, list):
        return
    for index, tag in enumerate(tags):
        _max_length(f"tags.{index}", tag, TAG_MAX_LENGTH, add, FIELD_LABELS["tags"])
    _no_resident_ids(dict(enumerate(tags)), dict.fromkeys(range(len(tags)), FIELD_LABELS["tags"]), add, "tags.")
    if len(clean_tags(tags)) > TAGS_MAX:
        add("tags", _("Tags: at most %(max)d per customer.", max=TAGS_MAX))


def _contacts(contacts, add):
    if contacts is None or contacts == []:
        add("contacts", _("A main contact is required."))
        return
    if not isinstance(contacts, list):
        return
    items = [c for c in contacts if isinstance(c, dict)]
    primaries = [c for c in items if is_primary(c)]
    only_unmarked = len(items) == 1 and items[0].get("primary", items[0].get("is_primary")) is None
    if len(primaries) != 1 and not only_unmarked:
        add("contacts", _("Mark exactly one contact as the main contact."))
    for index, contact in enumerate(contacts):
        if isinstance(contact, dict):
            _contact(f"contacts.{index}", contact, is_primary(contact) or only_unmarked, add)


def _contact(prefix, contact, primary, add):
    if _text(contact.get("name")) == "":
        add(f"{prefix}.name", _("Contact name is required."))
    phone = _text(contact.get("phone"))
    if phone == "" and primary:
        add(f"{prefix}.phone", _("Contact phone is required."))
    elif phone and not is_cn_phone(phone):
        add(f"{prefix}.phone", _("Contact phone: enter an 11-digit mobile number or a landline with area code."))
    email = _text(contact.get("email"))
    if email and not is_email(email):
        add(f"{prefix}.email", _("Contact email: enter a valid address, like name@example.com."))
    wechat = _text(contact.get("wechat"))
    if wechat and not is_wechat(wechat):
        add(f"{prefix}.wechat", _("WeChat: enter an ID of 6-20 letters, digits, _ or - starting with a letter, "
                                  "or a mobile number."))
    role = _text(contact.get("role"))
    if role and role not in CONTACT_ROLES:
        add(f"{prefix}.role", _("Choose a contact role from the list: decision maker, influencer or user."))
    for field, limit in CONTACT_MAX_LENGTHS.items():
        _max_length(f"{prefix}.{field}", contact.get(field), limit, add, CONTACT_FIELD_LABELS[field])
    _no_resident_ids(contact, {field: CONTACT_FIELD_LABELS[field] for field in CONTACT_FREE_TEXT}, add, f"{prefix}.")


def _text(value):
    """Stripped text; "" for missing or blank; None for a value that is not text at all."""
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else None


def _choice(data, field, codes, required_message, add):
    value = _text(data.get(field))
    if value == "":
        if required_message:
            add(field, required_message)
    elif value is not None and value not in codes:
        add(field, _choice_message(field))


def _choice_message(field):
    return {
        "industry": _("Choose an industry from the list."),
        "type": _("Choose a customer type from the list."),
        "source": _("Choose a source from the list."),
        "category": _("Choose a category from the list (Settings lists the company's categories)."),
    }[field]


def _no_resident_ids(data, labels, add, prefix=""):
    """C12: no resident ID number in any free text of a customer or its contacts."""
    for field, messages in resident_id_errors(data, labels).items():
        for message in messages:
            add(f"{prefix}{field}", message)


def _max_length(field, value, limit, add, label):
    if isinstance(value, str) and len(value.strip()) > limit:
        add(field, _("%(field)s: at most %(max)d characters.", field=label, max=limit))
