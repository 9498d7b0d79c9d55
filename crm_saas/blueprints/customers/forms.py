"""The customer form: fields and labels only; the rules are ``validation.validate_customer``.

The form turns its fields into the API's data shape (``customer_data``),
the service judges that, and ``show_errors`` puts each message back beside
the field it names, so the page and the API can never disagree about what
a valid customer is. Contacts are a FieldList re-rendered by the server
when a row is added or removed; custom fields and the region picker render
their own inputs (custom_fields/_inputs.html, regions/_picker.html).
"""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, HiddenField, SelectField, StringField, TextAreaField

from crm_saas.blueprints.customers.services.codes import (
    CONTACT_FIELD_LABELS,
    CONTACT_ROLES,
    CUSTOMER_TYPES,
    FIELD_LABELS,
    INDUSTRIES,
    SIZES,
    SOURCES,
)
from crm_saas.core.forms import Required

CONTACTS_MAX = 20
CONTACT_KEYS = ("id", "name", "title", "phone", "email", "wechat", "role")
_TAG_SPLIT = re.compile(r"[,，、;；\n]+")


class ContactForm(Form):
    id = HiddenField()
    name = StringField(CONTACT_FIELD_LABELS["name"], validators=[Required()])
    title = StringField(CONTACT_FIELD_LABELS["title"])
    phone = StringField(CONTACT_FIELD_LABELS["phone"])
    email = StringField(CONTACT_FIELD_LABELS["email"])
    wechat = StringField(CONTACT_FIELD_LABELS["wechat"])
    role = SelectField(CONTACT_FIELD_LABELS["role"], choices=[("", "—")] + list(CONTACT_ROLES.items()),
                       validate_choice=False)


def _choices(codes):
    return [("", "—")] + list(codes.items())


def _optional_id(value):
    """A picker's id, or None for "—" (and for anything that is not an id, which no option sends)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.strip().isdigit() else None


class CustomerForm(FlaskForm):
    name = StringField(FIELD_LABELS["name"], validators=[Required()])
    industry = SelectField(FIELD_LABELS["industry"], choices=_choices(INDUSTRIES), validators=[Required()],
                           validate_choice=False)
    industry_note = StringField(FIELD_LABELS["industry_note"],
                                description=_l("Required when the industry is Other."))
    type = SelectField(FIELD_LABELS["type"], choices=list(CUSTOMER_TYPES.items()), default="potential",
                       validators=[Required()], validate_choice=False)
    source = SelectField(FIELD_LABELS["source"], choices=_choices(SOURCES), validators=[Required()],
                         validate_choice=False)
    category = SelectField(FIELD_LABELS["category"], choices=[("", "—")], validate_choice=False)
    size = SelectField(FIELD_LABELS["size"], choices=_choices(SIZES), validate_choice=False)
    province = StringField(FIELD_LABELS["province"])
    city = StringField(FIELD_LABELS["city"])
    district = StringField(FIELD_LABELS["district"])
    address = StringField(FIELD_LABELS["address"])
    tags = FieldList(StringField(FIELD_LABELS["tags"]))
    new_tags = StringField(_l("Add tags"), description=_l("Separate several tags with commas."))
    remarks = TextAreaField(FIELD_LABELS["remarks"])
    needs = TextAreaField(FIELD_LABELS["needs"])
    goals = TextAreaField(FIELD_LABELS["goals"])
    past_dealings = TextAreaField(FIELD_LABELS["past_dealings"])
    owner_id = SelectField(FIELD_LABELS["owner_id"], coerce=int, validate_choice=False)
    # G1: the campaign the customer came from; the choices come from ``offer`` (core.campaign_refs).
    campaign_id = SelectField(FIELD_LABELS["campaign_id"], coerce=_optional_id, choices=[("", "—")],
                              validate_choice=False)
    contacts = FieldList(FormField(ContactForm), min_entries=1, max_entries=CONTACTS_MAX)
    primary = HiddenField(default="0")
    reason = TextAreaField(_l("Reason for the change"),
                           description=_l("Kept in the change log beside what changed."))
    confirm_duplicates = HiddenField()

    def offer(self, *, categories, owners=None, size=None, campaigns=()):
        """Fill the choices that depend on the company (and keep a stored value that left the list)."""
        self.campaign_id.choices = [("", "—"), *campaigns]
        self.category.choices = [("", "—")] + [(c, c) for c in categories]
        if self.category.data and self.category.data not in categories:
            self.category.choices.append((self.category.data, self.category.data))
        if size and size not in SIZES:
            self.size.choices = [*self.size.choices, (size, size)]
        if owners is not None:
            self.owner_id.choices = owners

    def customer_data(self, custom):
        """The form's values in the shape the rules and the services take (the API's)."""
        data = {key: self[key].data for key in (
            "name", "industry", "industry_note", "type", "source", "category", "size", "province", "city",
            "district", "address", "remarks", "needs", "goals", "past_dealings", "campaign_id")}
        new = [t.strip() for t in _TAG_SPLIT.split(self.new_tags.data or "") if t.strip()]
        data["tags"] = [t for t in self.tags.data if t and t.strip()] + new
        data["custom"] = custom
        primary = self.primary.data or "0"
        data["contacts"] = [{
            "id": int(entry.form.id.data) if (entry.form.id.data or "").isdigit() else None,
            **{key: entry.form[key].data for key in ("name", "title", "phone", "email", "wechat", "role")},
            "primary": str(index) == primary,
        } for index, entry in enumerate(self.contacts.entries)]
        return data

    def show_errors(self, errors):
        """Put the rules' ``{field: [messages]}`` beside their fields.

        Returns ``(custom_errors, region_errors, leftover)``: what the
        custom-field inputs and the region picker show, and messages no field
        owns (shown at the top).
        """
        custom, region, leftover = {}, {}, []
        for key, messages in errors.items():
            messages = [str(m) for m in messages]
            parts = key.split(".")
            if parts[0] == "custom":
                custom[key] = messages
            elif key in ("province", "city", "district"):
                region[key] = messages
            elif parts[0] == "contacts" and len(parts) == 3 and parts[1].isdigit() \
                    and int(parts[1]) < len(self.contacts.entries) and parts[2] in CONTACT_KEYS:
                field = self.contacts.entries[int(parts[1])].form[parts[2]]
                field.errors = [*field.errors, *messages]
            elif parts[0] == "tags":
                self.new_tags.errors = [*self.new_tags.errors, *messages]
            elif key in self and key != "contacts":
                self[key].errors = [*self[key].errors, *messages]
            else:
                leftover.extend(messages)
        return custom, region, leftover


def fill_from(form, data):
    """Load stored data (``services.editable_data``) into an unsubmitted form."""
    for key, value in data.items():
        if key in form and key not in ("contacts", "tags"):
            form[key].data = value
    for tag in data.get("tags") or []:
        form.tags.append_entry(tag)
    while form.contacts.entries:
        form.contacts.pop_entry()
    for index, contact in enumerate(data.get("contacts") or [{}]):
        form.contacts.append_entry({key: contact.get(key) or "" for key in CONTACT_KEYS})
        if contact.get("primary"):
            form.primary.data = str(index)
