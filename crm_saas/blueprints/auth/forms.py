from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo

from crm_saas.core.passwords import password_policy


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(_l("Username is required."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Password is required."))])


class ChangePasswordForm(FlaskForm):
    old = PasswordField(_l("Current password"), validators=[DataRequired(_l("Current password is required."))])
    new = PasswordField(
        _l("New password"), validators=[DataRequired(_l("New password is required.")), password_policy]
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(_l("Repeat the new password.")), EqualTo("new", _l("The two passwords differ."))],
    )
