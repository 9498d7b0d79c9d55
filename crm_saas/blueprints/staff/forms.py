from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from crm_saas.blueprints.auth.forms import password_policy
from crm_saas.validators import CnPhone

from crm_saas.permissions import ROLE_LABELS  # noqa: E402  (re-exported for the staff pages)


class StaffForm(FlaskForm):
    code = StringField(_l("Staff code"), validators=[Optional(), Length(max=32)])
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(_l("Username is required.")),
            Regexp(r"^[A-Za-z0-9_.-]{2,64}$", message=_l("Use 2-64 letters, digits, dots, dashes or underscores.")),
        ],
    )
    password = PasswordField(
        _l("Initial password"), validators=[DataRequired(_l("Initial password is required.")), password_policy]
    )
    name = StringField(_l("Name"), validators=[DataRequired(_l("Name is required.")), Length(max=100)])
    phone = StringField(_l("Phone"), validators=[Optional(), CnPhone()])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=100)])
    superior_id = SelectField(_l("Superior"), coerce=int, validate_choice=True)
    role = SelectField(_l("Role"), choices=list(ROLE_LABELS.items()), default="rep")
