"""An agency's forms over its companies: the application it files, and the company panel's contact log,
classification and extension request. They carry and show values; the services (services/applications.py,
services/contacts.py, tenants/lifecycle.py) judge them, the same rules as the API's."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField

from crm_saas.blueprints.platform.services.contacts import WAYS
from crm_saas.core.forms import Required


class ApplicationForm(FlaskForm):
    name = StringField(_l("Company name"), validators=[Required()])
    slug = StringField(_l("Subdomain"), validators=[Required()],
                       description=_l("3-32 lowercase letters, digits or hyphens: the company's own address."))
    admin_name = StringField(_l("Administrator's name"), validators=[Required()])
    admin_phone = StringField(_l("Administrator's phone"), validators=[Required()])
    admin_email = StringField(_l("Administrator's email"), validators=[Required()],
                              description=_l("The link to choose the administrator's password is sent here."))

    def service_data(self):
        return {key: self[key].data for key in ("name", "slug", "admin_name", "admin_phone", "admin_email")}


class _PanelForm(FlaskForm):
    """The panel holds several forms in one page: the app's CSRF check guards the posts (the body's header),
    and each field's id says it is the panel's, so nothing clashes with the company page around it."""

    class Meta:
        csrf = False


class ContactForm(_PanelForm):
    occurred_at = StringField(_l("When"), id="panel-occurred_at", description=_l("Leave empty for now."))
    way = SelectField(_l("How"), id="panel-way", choices=list(WAYS.items()), default="phone", validate_choice=False,
                      validators=[Required()])
    summary = TextAreaField(_l("Summary"), id="panel-summary", validators=[Required()])
    next_contact_at = StringField(_l("Next contact"), id="panel-next_contact_at")

    def service_data(self):
        return {key: self[key].data for key in ("occurred_at", "way", "summary", "next_contact_at")}


class ClassifyForm(_PanelForm):
    category = StringField(_l("Customer category"), id="panel-category",
                           description=_l("Your own label for this company; empty clears it."))


class ExtensionForm(_PanelForm):
    days = StringField(_l("Days"), id="panel-days", validators=[Required()])
    reason = TextAreaField(_l("Reason"), id="panel-reason", validators=[Required()])

    def days_value(self):
        """Whole days as a number for the service; anything else as typed (the service names the field)."""
        raw = (self.days.data or "").strip()
        return int(raw) if raw.isdigit() and len(raw) < 6 else raw
