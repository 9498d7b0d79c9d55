"""The deal form: fields and labels only; the rules are ``deals.deal_errors``.

Product lines are a FieldList the server redraws when a line is added or
removed (as the customer form does with contacts); custom fields render
their own inputs (custom_fields/_inputs.html).
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import DateField
from wtforms.validators import Optional

from crm_saas.core.forms import Required

PRODUCT_KEYS = ("name", "quantity", "price")


class ProductForm(Form):
    name = StringField(_l("Product"))
    quantity = StringField(_l("Quantity"), default="1")
    price = StringField(_l("Unit price"))


class DealForm(FlaskForm):
    name = StringField(_l("Deal name"), validators=[Required()])
    customer_id = SelectField(_l("Customer"), coerce=int, validate_choice=False, validators=[Required()])
    amount = DecimalField(_l("Expected amount"), places=2, validators=[Optional()],
                          description=_l("Left empty, the product lines add up to it."))
    expected_close = DateField(_l("Expected close date"), validators=[Optional()])
    stage_id = SelectField(_l("Stage"), coerce=int, validate_choice=False)
    probability = IntegerField(_l("Probability, %"), validators=[Optional()],
                               description=_l("Left empty, the stage's default."))
    owner_id = SelectField(_l("Owner"), coerce=int, validate_choice=False)
    key_actions = TextAreaField(_l("Key actions"))
    # G1: the campaign the deal came from (choices from pages.form_context); a new deal left without one
    # takes its customer's.
    campaign_id = SelectField(_l("Campaign"), choices=[("", "—")], validate_choice=False)
    products = FieldList(FormField(ProductForm), min_entries=1, max_entries=50)
    reason = TextAreaField(_l("Reason for the change"))
    version = HiddenField()

    def deal_data(self, custom):
        """The form's values in the API's shape."""
        data = {"name": self.name.data, "customer_id": self.customer_id.data or None,
                "amount": self.amount.raw_data[0] if self.amount.raw_data else None,
                "expected_close": self.expected_close.raw_data[0] if self.expected_close.raw_data else None,
                "probability": self.probability.raw_data[0] if self.probability.raw_data else None,
                "owner_id": self.owner_id.data or None, "key_actions": self.key_actions.data,
                "campaign_id": self.campaign_id.data or None,
                "products": [{key: entry.form[key].data for key in PRODUCT_KEYS} for entry in self.products],
                "custom": custom}
        if self.stage_id.data:
            data["stage_id"] = self.stage_id.data
        return data

    def show_errors(self, errors):
        """``(custom_errors, leftover)``: the rules' messages put beside their fields."""
        custom, leftover = {}, []
        for key, messages in errors.items():
            messages = [str(m) for m in messages]
            parts = key.split(".")
            if parts[0] == "custom":
                custom[key] = messages
            elif parts[0] == "products" and len(parts) == 3 and parts[1].isdigit() \
                    and int(parts[1]) < len(self.products.entries) and parts[2] in PRODUCT_KEYS:
                field = self.products.entries[int(parts[1])].form[parts[2]]
                field.errors = [*field.errors, *messages]
            elif key in self and key not in ("products", "version"):  # a stale version is said at the top
                self[key].errors = [*self[key].errors, *messages]
            else:
                leftover.extend(messages)
        return custom, leftover

    def change_product_rows(self, action):
        """The add/remove-line buttons: redraw the lines, save nothing; returns whether one was pressed."""
        if action == "add":
            self.products.append_entry()
        elif action.startswith("remove-") and action[7:].isdigit():
            kept = [e.data for i, e in enumerate(self.products.entries) if i != int(action[7:])]
            while self.products.entries:
                self.products.pop_entry()
            for data in kept or [{}]:
                self.products.append_entry(data)
        return bool(action)
