"""The agency staff pages' forms. They carry and show values; the rules are the service's (services/staff.py), one
set for these pages and the API, so the service's ``{field: [messages]}`` lands on fields of the same names."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField

from crm_saas.core.forms import Required

ROLE_LABELS = {"admin": _l("Agency administrator"), "supervisor": _l("Supervisor"), "rep": _l("Sales rep")}


def _int_or_none(value):
    """A select's value as an id; '' (top level, or nothing chosen) is None."""
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class AgencyStaffForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Required()])
    username = StringField(_l("Username"), validators=[Required()],
                           description=_l("Suggested from the name by pinyin; you may change it."))
    code = SelectField(_l("Rep code"), validators=[Required()], validate_choice=False,
                       description=_l("The agency's free codes: companies signing up with it become this person's."))
    role = SelectField(_l("Role"), validators=[Required()], validate_choice=False, default="rep")
    superior_id = SelectField(_l("Superior"), coerce=_int_or_none, validate_choice=False)
    phone = StringField(_l("Phone"))
    email = StringField(_l("Email"))
    password = PasswordField(_l("Initial password"), validators=[Required()],
                             description=_l("They choose their own at first sign-in."))

    def offer(self, actor, codes, superiors, *, top_level):
        """Fill the selects: ``codes`` as offered, admin only to admins, ``superiors`` (and the top level when
        ``top_level``: only admins put someone there)."""
        self.code.choices = [(code, code) for code in codes]
        self.role.choices = [(key, label) for key, label in ROLE_LABELS.items()
                             if key != "admin" or actor.role == "admin"]
        self.superior_id.choices = ([("", _l("(top level)"))] if top_level else []) + [
            (p.id, f"{p.name} · {p.code or p.username}") for p in superiors]

    def service_data(self):
        return {key: self[key].data for key in ("name", "username", "code", "role", "superior_id", "phone", "email",
                                                 "password")}


class EditAgencyStaffForm(AgencyStaffForm):
    """Editing: the same fields; a password typed here resets it (changed again at their next sign-in)."""

    password = PasswordField(_l("Reset password"), description=_l("Leave blank to keep the current password."))

    def service_data(self):
        data = super().service_data()
        if not data["password"]:
            data.pop("password")
        return data


class DepartureForm(FlaskForm):
    # The service judges the choice (active, outside the team), so its message names the problem.
    handover_to = SelectField(_l("Hand over to"), coerce=_int_or_none, validate_choice=False,
                              validators=[Required()])
