"""The personal centre (B5): everyone edits their own name, title, phone, region and language.

Only these fields: username, staff code, role and superior belong to
whoever manages staff, so the form offers nothing else to change.
"""
from flask import flash, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from crm_saas.core.audit import record
from crm_saas.core.htmx import redirect_to
from crm_saas.core.i18n import LANGUAGE_NAMES, current_language
from crm_saas.core.permissions import ROLE_LABELS
from crm_saas.core.validators import CnPhone
from crm_saas.extensions import db

PROFILE_FIELDS = ("name", "title", "phone", "region", "locale")


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Name is required.")), Length(max=100)])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=100)])
    phone = StringField(_l("Phone"), validators=[Optional(), CnPhone(
        _l("Phone: enter an 11-digit mobile number or a landline with area code."))])
    region = StringField(_l("Region"), validators=[Optional(), Length(max=100)])
    locale = SelectField(_l("Language"), choices=list(LANGUAGE_NAMES.items()))


def update_profile(user, data):
    """Save the changed fields with one log entry naming each change (old, new)."""
    changes = {}
    for key in PROFILE_FIELDS:
        value = (data.get(key) or "").strip() or None
        if getattr(user, key) != value:
            changes[key] = [getattr(user, key), value]
            setattr(user, key, value)
    if changes:
        record("profile_updated", user, actor=user, changes=changes)
    db.session.commit()
    return changes


@login_required
def profile():
    user = current_user._get_current_object()
    current = {key: getattr(user, key) for key in PROFILE_FIELDS}
    form = ProfileForm(data=dict(current, locale=user.locale or current_language()))
    if form.validate_on_submit():
        update_profile(user, form.data)
        session["lang"] = user.locale  # the chosen language applies from the next page on
        flash(_("Your details have been saved."), "success")
        return redirect_to(url_for("auth.profile"))
    role_label = ROLE_LABELS.get(user.role, user.role)
    page = render_template("auth/profile.html", form=form, user=user, role_label=role_label)
    return page, 422 if form.errors else 200
