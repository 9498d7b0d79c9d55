"""The personal centre (B5): everyone edits their own name, title, phone, region and language.

Only these fields: username, staff code, role and superior belong to
whoever manages staff, so the form offers nothing else to change.
"""
from flask import flash, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm_saas.blueprints.auth.forms import ProfileForm
from crm_saas.blueprints.auth.services import PROFILE_FIELDS, update_profile
from crm_saas.core.htmx import redirect_to
from crm_saas.core.i18n import current_language
from crm_saas.core.permissions import role_label


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
    page = render_template("auth/profile.html", form=form, user=user, role_label=role_label(user.role))
    return page, 422 if form.errors else 200
