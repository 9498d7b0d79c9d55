"""The console's forms; the rules themselves live in the services (tenants/, services/)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class CodeForm(FlaskForm):
    code = StringField(_l("Six-digit code from your authenticator app"),
                       validators=[DataRequired(_l("Enter the code.")), Length(min=6, max=8)])
