"""Service settings: due times per priority and the request number pattern (hung on ``bp``), for holders of
``manage_settings``. The checks and the saving are services/settings.py; this reads the form and draws it.

``GET /service/settings?service_number_pattern=...`` previews the number a
pattern would give next (the form asks for it as the admin types, and swaps
in just the preview).
"""
from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField

from crm_saas.blueprints.customers.services.numbering import pattern_errors
from crm_saas.blueprints.service.blueprint import bp
from crm_saas.blueprints.service.services.codes import PRIORITIES as PRIORITY_LABELS
from crm_saas.blueprints.service.services.settings import (
    HOURS_MAX,
    KINDS,
    PRIORITIES,
    change_service_settings,
    current_hours,
    field_name,
    number_preview,
    settings_errors,
)
from crm_saas.core.htmx import render
from crm_saas.core.permissions import permission_required
from crm_saas.core.settings import get_setting

KIND_LABELS = {"response": _l("First response within (hours)"), "resolution": _l("Resolved within (hours)")}


class ServiceSettingsForm(FlaskForm):
    """The number pattern, then ``<priority>_response`` and ``<priority>_resolution`` for each priority."""

    service_number_pattern = StringField(
        _l("Service request number pattern"),
        description=_l("{YYYY} year, {YY} short year, {MM} month, {DD} day, {SEQ:4} a 4-digit serial that restarts "
                       "when the date part changes. Numbers already given never change."),
    )

    def hours(self):
        """``{priority: {kind: whole hours or None}}`` as typed."""
        return {priority: {kind: self[field_name(priority, kind)].data for kind in KINDS} for priority in PRIORITIES}

    def rows(self):
        """``[(priority label, response field, resolution field)]`` in the order the table shows them."""
        return [(PRIORITY_LABELS.get(priority, priority), *(self[field_name(priority, kind)] for kind in KINDS))
                for priority in PRIORITIES]


for _priority in PRIORITIES:
    for _kind in KINDS:
        setattr(ServiceSettingsForm, field_name(_priority, _kind), IntegerField(KIND_LABELS[_kind]))


def _stored_form():
    data = {"service_number_pattern": get_setting("service_number_pattern")}
    for priority, figures in current_hours().items():
        data.update({field_name(priority, kind): figures[kind] for kind in KINDS})
    return ServiceSettingsForm(formdata=None, data=data)


def _page(form, **context):
    pattern = form.service_number_pattern.data or ""
    return render("service/settings.html", "service/_settings_form.html", form=form, preview=number_preview(pattern),
                  hours_max=HOURS_MAX, **context)


@bp.route("/settings")
@permission_required("manage_settings")
def settings():
    form = _stored_form()
    typed = request.args.get("service_number_pattern")
    if typed is None:
        return _page(form)
    form.service_number_pattern.data = typed  # the preview of a pattern being typed, or why it numbers nothing
    return _page(form, preview_problems=pattern_errors(typed.strip()))


@bp.route("/settings", methods=["POST"])
@permission_required("manage_settings")
def save_settings():
    """Every bad field named at once (422), nothing half-saved; a saved change applies to new requests."""
    form = ServiceSettingsForm()
    readable = form.validate_on_submit()  # the form's own checks: whole numbers, the CSRF token
    for name, messages in settings_errors((form.service_number_pattern.data or "").strip(), form.hours()).items():
        if not form[name].errors:  # "not a number" already says what is wrong with it
            form[name].errors = list(messages)
    message = None
    if readable and not form.errors:
        changed = change_service_settings(form.service_number_pattern.data, form.hours(), actor=current_user)
        message = _("Settings saved.") if changed else _("Nothing changed.")
    return _page(form, message=message), 422 if form.errors else 200
