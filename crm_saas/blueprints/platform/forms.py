"""The console's forms; the rules themselves live in the services (tenants/, services/)."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from crm_saas.core.forms import Required


class CodeForm(FlaskForm):
    code = StringField(_l("Six-digit code from your authenticator app"),
                       validators=[DataRequired(_l("Enter the code.")), Length(min=6, max=8)])


# -- the company page's actions: each form posts to its own endpoint; the rules are tenants/lifecycle.py's --------
# Fields are text: a number or a date typed wrong gets the service's message, in the reader's language.

class ReasonForm(FlaskForm):
    """Reject, suspend, or reject an extension request: a reason is required (the service says so)."""

    reason = TextAreaField(_l("Reason"), validators=[Required(), Length(max=2000)])


class ExtendForm(FlaskForm):
    days = StringField(_l("Days to add"), description=_l("Counted from the current end date, or from today if "
                                                         "it has passed."))
    until = StringField(_l("Or a new end date"))
    paid = BooleanField(_l("Paid subscription"), description=_l("Untick to make it a trial again."))


class RenameForm(FlaskForm):
    name = StringField(_l("Company name"), validators=[Required(), Length(max=200)])


class AdminPasswordForm(FlaskForm):
    password = PasswordField(_l("New password for the administrator"), validators=[Required()])
    confirm = PasswordField(_l("The same password again"), validators=[Required()])


class AssignForm(FlaskForm):
    rep_id = SelectField(_l("Agency person"), coerce=int, validate_choice=False, validators=[Required()])
    reason = StringField(_l("Note"), validators=[Length(max=500)])


# -- the operator's agencies and settings ----------------------------------------------------------------------

class AgencyForm(FlaskForm):
    prefix = StringField(_l("Code prefix"), validators=[Required()],
                         description=_l("Two letters for the region and two digits for the agency, e.g. GD01. "
                                        "Every rep code of the agency begins with it; it cannot change later."))
    name = StringField(_l("Agency name"), validators=[Required()])
    contact = StringField(_l("Contact person"))
    phone = StringField(_l("Phone"))
    status = SelectField(_l("Status"), choices=[("active", lazy_pgettext("agency status", "Active")),
                                                ("suspended", _l("Suspended"))])
    bonus_trial_days = StringField(_l("Bonus trial days"),
                                   description=_l("Added to the trial of companies that sign up with the agency's "
                                                  "codes (0-365)."))


class AgencyAdminForm(FlaskForm):
    """The agency's first administrator, added by the operator (they change the password at first sign-in)."""

    code = SelectField(_l("Code"), validate_choice=False, validators=[Required()])
    username = StringField(_l("Username"), validators=[Required()])
    name = StringField(_l("Name"), validators=[Required()])
    phone = StringField(_l("Phone"))
    password = PasswordField(_l("Initial password"), validators=[Required()],
                             description=_l("They must change it at their first sign-in."))


class PlatformSettingsForm(FlaskForm):
    approval_required = BooleanField(_l("Sign-ups wait for an operator's approval"),
                                     description=_l("Untick to start a trial as soon as a company signs up."))
    trial_days = StringField(_l("Trial length (days)"), validators=[Required()])
    contact_name = StringField(_l("Platform contact name"),
                               description=_l("Shown to companies without an agency rep when their trial ends."))
    contact_phone = StringField(_l("Platform contact phone"))
    contact_email = StringField(_l("Platform contact email"))
