from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from crm_saas.core.i18n import LANGUAGE_NAMES
from crm_saas.core.passwords import password_policy
from crm_saas.core.validators import CnPhone


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(_l("Username is required."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Password is required."))])


class ForgotPasswordForm(FlaskForm):
    identifier = StringField(_l("Username or email"), validators=[DataRequired(_l("Enter your username or email.")),
                                                                  Length(max=200)])


class ResetPasswordForm(FlaskForm):
    """The fields of the emailed link's page; the rules are checked in recovery.reset_password."""

    password = PasswordField(_l("New password"))
    confirm = PasswordField(_l("Repeat new password"))


class ChangePasswordForm(FlaskForm):
    old = PasswordField(_l("Current password"), validators=[DataRequired(_l("Current password is required."))])
    new = PasswordField(
        _l("New password"), validators=[DataRequired(_l("New password is required.")), password_policy]
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(_l("Repeat the new password.")), EqualTo("new", _l("The two passwords differ."))],
    )


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Name is required.")), Length(max=100)])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=100)])
    phone = StringField(_l("Phone"), validators=[Optional(), CnPhone(
        _l("Phone: enter an 11-digit mobile number or a landline with area code."))])
    email = StringField(_l("Email"),
                        validators=[Optional(), Length(max=200), Email(_l("Enter a valid email address."))],
                        description=_l("Where a forgotten password's link goes."))
    region = StringField(_l("Region"), validators=[Optional(), Length(max=100)])
    locale = SelectField(_l("Language"), choices=list(LANGUAGE_NAMES.items()))
