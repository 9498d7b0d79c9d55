from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError


class LogFilterForm(FlaskForm):
    """A GET form (no CSRF: it changes nothing); people are filled in by the view."""

    class Meta:
        csrf = False

    user_id = SelectField(_l("Person"), coerce=int, default=0)
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("To: the end date comes before the start date."))
