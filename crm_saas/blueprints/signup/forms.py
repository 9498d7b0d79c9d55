from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp, ValidationError

from crm_saas.core.passwords import password_policy
from crm_saas.core.validators import CnPhone
from crm_saas.tenants.agencies import rep_for_code
from crm_saas.tenants.provisioning import SlugError, check_slug

SLUG_MESSAGES = {
    "malformed": _l("Use 3-32 lowercase letters, digits or hyphens, starting with a letter."),
    "reserved": _l("This subdomain is reserved."),
    "taken": _l("This subdomain is already taken."),
}


class SignupForm(FlaskForm):
    company_name = StringField(
        _l("Company name"), validators=[DataRequired(_l("Company name is required.")), Length(max=200)]
    )
    subdomain = StringField(
        _l("Subdomain"),
        validators=[DataRequired(_l("Subdomain is required."))],
        description=_l("3-32 lowercase letters, digits or hyphens, starting with a letter."),
    )
    admin_name = StringField(
        _l("Administrator name"), validators=[DataRequired(_l("Administrator name is required.")), Length(max=100)]
    )
    phone = StringField(_l("Phone"), validators=[DataRequired(_l("Phone is required.")), CnPhone()])
    email = StringField(
        _l("Email"), validators=[DataRequired(_l("Email is required.")), Email(_l("Enter a valid email address."))]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Password is required.")), password_policy])
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(_l("Repeat the password.")), EqualTo("password", _l("The two passwords differ."))],
    )
    rep_code = StringField(
        _l("Rep code (optional)"),
        validators=[Optional(),
                    Regexp(r"^[A-Za-z]{2}\d{4}$", message=_l("A rep code is two letters and four digits."))],
        description=_l("The code your agency's rep gave you (编号), if any: they will look after your company."),
    )

    rep = None  # the rep the code names, once validated

    def validate_rep_code(self, field):
        """The code must name an active rep of an active agency; ``self.rep`` keeps them for the view."""
        self.rep = None
        if field.data and not field.errors:
            self.rep = rep_for_code(field.data)
            if self.rep is None:
                raise ValidationError(_l("No active agency rep has this code. Check it with your rep, or leave it "
                                         "empty."))

    def validate_subdomain(self, field):
        try:
            check_slug((field.data or "").strip().lower())
        except SlugError as err:
            raise ValidationError(SLUG_MESSAGES[err.code]) from None


class FindCompanyForm(FlaskForm):
    """The platform's "log in to your company": a subdomain goes straight there; an email gets links."""

    company = StringField(_l("Your company's subdomain, or your email address"),
                          validators=[DataRequired(_l("Enter a subdomain or an email address.")), Length(max=200)])
