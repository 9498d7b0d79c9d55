"""The add-customer form: fields and labels only; the rules are ``validation.validate_customer``.

The form turns its fields into the API's data shape, asks the shared rules,
and puts each message back beside the field it names, so the page and the API
can never disagree about what a valid customer is.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField

from crm_saas.blueprints.customers.codes import CUSTOMER_TYPES, INDUSTRIES, SOURCES
from crm_saas.blueprints.customers.validation import validate_customer

# Rule names (API field names) -> this form's fields.
FORM_FIELDS = {
    "contacts": "contact_name",
    "contacts.0.name": "contact_name",
    "contacts.0.phone": "contact_phone",
}


class Required:
    """Marks a field as required (the ``*`` beside its label); the check itself is in the shared rules."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        return None


class CustomerForm(FlaskForm):
    name = StringField(_l("Customer name"), validators=[Required()])
    industry = SelectField(
        _l("Industry"), choices=[("", "—")] + list(INDUSTRIES.items()), validators=[Required()], validate_choice=False
    )
    industry_note = StringField(_l("Industry note"))
    type = SelectField(
        _l("Customer type"), choices=list(CUSTOMER_TYPES.items()), default="potential", validate_choice=False
    )
    source = SelectField(
        _l("Source"), choices=[("", "—")] + list(SOURCES.items()), validators=[Required()], validate_choice=False
    )
    contact_name = StringField(_l("Contact name"), validators=[Required()])
    contact_phone = StringField(_l("Contact phone"), validators=[Required()])
    remarks = TextAreaField(_l("Remarks"))

    def customer_data(self):
        """The form's values in the shape the rules and ``create_customer`` take."""
        data = {key: self[key].data for key in ("name", "industry", "industry_note", "type", "source", "remarks")}
        data["contacts"] = [{
            "name": (self.contact_name.data or "").strip(), "phone": (self.contact_phone.data or "").strip(),
            "primary": True,
        }]
        return data

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        errors = validate_customer(self.customer_data())
        for key, messages in errors.items():
            field = self[FORM_FIELDS.get(key, key)] if FORM_FIELDS.get(key, key) in self else self.name
            field.errors = [*field.errors, *messages]
        return valid and not errors
