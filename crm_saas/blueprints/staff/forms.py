"""Staff forms. Field names match the service's data keys, so StaffError.errors land on fields."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from crm_saas.blueprints.staff.services import USERNAME_RE
from crm_saas.core.passwords import password_policy
from crm_saas.core.permissions import ROLE_LABELS
from crm_saas.core.roles import custom_roles
from crm_saas.core.validators import CnPhone


class StaffForm(FlaskForm):
    code = StringField(_l("Staff code"), validators=[Optional(), Length(max=32)])
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(_l("Username is required.")),
            Regexp(USERNAME_RE, message=_l("Use 2-64 letters, digits, dots, dashes or underscores.")),
        ],
    )
    password = PasswordField(
        _l("Initial password"), validators=[DataRequired(_l("Initial password is required.")), password_policy]
    )
    name = StringField(_l("Name"), validators=[DataRequired(_l("Name is required.")), Length(max=100)])
    phone = StringField(_l("Phone"), validators=[Optional(), CnPhone()])
    email = StringField(_l("Email"),
                        validators=[Optional(), Length(max=200), Email(_l("Enter a valid email address."))],
                        description=_l("Where a forgotten password's link goes."))
    title = StringField(_l("Title"), validators=[Optional(), Length(max=100)])
    region = StringField(_l("Region"), validators=[Optional(), Length(max=100)])
    superior_id = SelectField(_l("Superior"), coerce=int, validate_choice=True)
    role = SelectField(_l("Role"), default="rep")

    def limit_roles(self, actor):
        """The built-in roles, then the company's own by name; only admins may appoint admins: others are not
        even offered the choice."""
        choices = [*ROLE_LABELS.items(), *((key, role.name) for key, role in custom_roles().items())]
        self.role.choices = [(code, label) for code, label in choices if code != "admin" or actor.role == "admin"]


class EditStaffForm(StaffForm):
    """Editing: the password box is an optional reset, the person chooses their own at next login."""

    password = PasswordField(
        _l("Reset password"), validators=[Optional(), password_policy],
        description=_l("Leave blank to keep the current password."),
    )


class DeactivateForm(FlaskForm):
    # The service judges the choice (active, not the person), so its message names the problem.
    handover_to_id = SelectField(_l("Hand over to"), coerce=int, validate_choice=False)
