from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from crm_saas.blueprints.customers.codes import CUSTOMER_TYPES, INDUSTRIES, SOURCES
from crm_saas.validators import CnPhone


class CustomerForm(FlaskForm):
    name = StringField(_l("Customer name"), validators=[DataRequired(_l("Customer name is required.")), Length(max=200)])
    industry = SelectField(
        _l("Industry"), choices=[("", "—")] + list(INDUSTRIES.items()),
        validators=[DataRequired(_l("Industry is required."))],
    )
    industry_note = StringField(_l("Industry note"), validators=[Optional(), Length(max=200)])
    type = SelectField(_l("Customer type"), choices=list(CUSTOMER_TYPES.items()), default="potential")
    source = SelectField(
        _l("Source"), choices=[("", "—")] + list(SOURCES.items()),
        validators=[DataRequired(_l("Source is required."))],
    )
    contact_name = StringField(
        _l("Contact name"), validators=[DataRequired(_l("Contact name is required.")), Length(max=100)]
    )
    contact_phone = StringField(_l("Contact phone"), validators=[DataRequired(_l("Contact phone is required.")), CnPhone()])
    remarks = TextAreaField(_l("Remarks"), validators=[Optional()])

    def validate_industry_note(self, field):
        if self.industry.data == "other" and not (field.data or "").strip():
            raise ValidationError(_l("Describe the industry when choosing Other."))
