from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, ValidationError

from crm_saas.blueprints.customers.services.numbering import pattern_errors
from crm_saas.blueprints.settings.services import SETTING_LABELS
from crm_saas.core.forms import Required
from crm_saas.core.permissions import ACTIONS, PERMISSIONS
from crm_saas.core.roles import BUILT_IN

CATEGORIES_MAX = 50


class CompanySettingsForm(FlaskForm):
    customer_approval = BooleanField(
        SETTING_LABELS["customer_approval"],
        description=_l("Their new customers wait in the approval queue of the people above them "
                       "who hold the right to approve; until then they count as pending."),
    )


class PermissionMatrixForm(FlaskForm):
    """One multi-choice per editable role; the page draws them as the columns of a table.

    ``submitted`` is always posted, so a form with every box unticked still
    counts as submitted (it revokes everything) instead of looking empty.
    ``columns`` names the roles the page showed: a role added since it was
    drawn keeps its rights. Built-in roles' columns hold actions only (they
    reach every module); custom roles' are ``custom_<key>`` fields, added per
    request by ``matrix_form``.
    """

    submitted = HiddenField(default="1")
    columns = HiddenField()
    supervisor = SelectMultipleField(_l("Supervisor"), choices=list(ACTIONS.items()))
    rep = SelectMultipleField(_l("Sales rep"), choices=list(ACTIONS.items()))

    def role_field(self, key):
        return self[matrix_field(key)]

    def shown(self, keys):
        """The role keys the submitted page showed (every column when it did not say)."""
        named = [key for key in (self.columns.data or "").split(",") if key]
        return [key for key in keys if key in named] if named else list(keys)


def matrix_field(key):
    """The form field of a role's column: the built-in two keep their names, custom roles carry a prefix so no
    key can clash with a form attribute."""
    return key if key in BUILT_IN else f"custom_{key}"


def matrix_form(custom, **kwargs):
    """The matrix form with a column per custom role (``{key: Role}``); the class is the company's, made per call."""
    form_class = type("CompanyPermissionMatrixForm", (PermissionMatrixForm,), {
        matrix_field(key): SelectMultipleField(role.name, choices=list(PERMISSIONS.items()))
        for key, role in custom.items()
    })
    return form_class(**kwargs)


class RoleForm(FlaskForm):
    """Adding a role: the service judges key and name (one set of rules with the API)."""

    name = StringField(_l("Name"), validators=[Required()], description=_l("For example 客服 or 市场."))
    key = StringField(_l("Key"), description=_l(
        "Optional: 2-20 lowercase letters, digits or underscores, for the API. Cannot change later."))


class RenameRoleForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Required()])


class CustomerSettingsForm(FlaskForm):
    """How customers are numbered, classified and kept once deleted (C1, C9)."""

    customer_number_pattern = StringField(
        SETTING_LABELS["customer_number_pattern"],
        description=_l("{YYYY} year, {YY} short year, {MM} month, {DD} day, {SEQ:4} a 4-digit serial that restarts "
                       "when the date part changes. Numbers already given never change."),
    )
    customer_categories = TextAreaField(
        SETTING_LABELS["customer_categories"], description=_l("One per line, in the order they are offered."),
    )
    recycle_bin_days = IntegerField(
        SETTING_LABELS["recycle_bin_days"],
        validators=[InputRequired(_l("Enter a number of days.")),
                    NumberRange(1, 3650, _l("Keep deleted customers between 1 and 3,650 days."))],
    )
    deal_rotting_days = IntegerField(
        SETTING_LABELS["deal_rotting_days"],
        description=_l("An open deal with no follow-up for this many days stands out on the board."),
        validators=[InputRequired(_l("Enter a number of days.")),
                    NumberRange(1, 365, _l("Between 1 and 365 days."))],
    )

    def validate_customer_number_pattern(self, field):
        errors = pattern_errors(field.data)
        if errors:
            raise ValidationError(" ".join(str(e) for e in errors))

    def validate_customer_categories(self, field):
        labels = self.categories()
        if len(labels) > CATEGORIES_MAX:
            raise ValidationError(_l("At most 50 categories."))
        if any(len(label) > 40 for label in labels):
            raise ValidationError(_l("Each category: at most 40 characters."))

    def categories(self):
        """The categories typed, one per line, blank lines and repeats dropped."""
        return list(dict.fromkeys(line.strip() for line in (self.customer_categories.data or "").splitlines()
                                  if line.strip()))



class SmtpSettingsForm(FlaskForm):
    """E2: the mail server reminders go out through. The password is never shown: left empty, it stays."""

    host = StringField(_l("SMTP server"), validators=[Optional(), Length(max=200)],
                       description=_l("For example smtp.exmail.qq.com. Leave empty to send no email."))
    port = IntegerField(_l("Port"), default=587, validators=[
        InputRequired(_l("Enter a port number.")), NumberRange(1, 65535, _l("A port is between 1 and 65,535."))])
    username = StringField(_l("Username"), validators=[Optional(), Length(max=200)])
    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=200)],
                             description=_l("Leave empty to keep the stored password."))
    sender = StringField(_l("Sender address"), validators=[Optional(), Email(_l("Enter a valid email address."))],
                         description=_l("Default: the username."))
    tls = BooleanField(_l("Encrypt with STARTTLS"), default=True)
