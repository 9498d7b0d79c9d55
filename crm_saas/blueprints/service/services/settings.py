"""The service settings (F1): how requests are numbered and the hours to respond and resolve, per priority.

Both are company settings (core/settings.py ``service_number_pattern`` and
``service_due_hours``); this checks and stores them, each change with its
operation-log entry in one commit, as the settings feature does for the
others (it sits above this feature, so the few lines are repeated here
rather than imported). A change applies to requests that come in from now
on: due times already set stay as they were promised.
"""
from flask_babel import gettext as _

from crm_saas.blueprints.customers.models import NumberCounter
from crm_saas.blueprints.customers.services.numbering import company_today, pattern_errors, render
from crm_saas.core.audit import record
from crm_saas.core.errors import FieldErrors
from crm_saas.core.settings import DEFAULTS, get_setting, set_setting
from crm_saas.extensions import db

PRIORITIES = tuple(DEFAULTS["service_due_hours"])  # urgent, high, normal, low: the order the form shows
KINDS = ("response", "resolution")
HOURS_MAX = 24 * 366  # a year: a longer promise is a typing slip
COUNTER = "service"  # the request numbers' counters (customers' numbering.next_number ``counter``)


def field_name(priority, kind):
    """The form's and the errors' name for one figure: ``urgent_response``, ``low_resolution``..."""
    return f"{priority}_{kind}"


def current_hours():
    """``{priority: {"response": h, "resolution": h}}``: the company's hours, the default for any missing."""
    chosen = get_setting("service_due_hours") or {}
    return {priority: {kind: (chosen.get(priority) or {}).get(kind) or DEFAULTS["service_due_hours"][priority][kind]
                       for kind in KINDS} for priority in PRIORITIES}


def number_preview(pattern=None):
    """The number the next request would get with ``pattern`` today (default: the company's), or None if the
    pattern cannot number anything. Reads the counter, takes nothing from it."""
    pattern = (pattern if pattern is not None else get_setting("service_number_pattern")).strip()
    if pattern_errors(pattern):
        return None
    day = company_today()
    counter = db.session.get(NumberCounter, f"{COUNTER}:" + render(pattern, day, None))
    return render(pattern, day, (counter.last if counter else 0) + 1)


def hours_errors(hours):
    """``{field: [message]}`` for ``hours`` (``{priority: {kind: value}}``): whole hours from 1 to a year, and no
    resolution due before its response."""
    errors = {}
    for priority in PRIORITIES:
        values = {}
        for kind in KINDS:
            value = (hours.get(priority) or {}).get(kind)
            name = field_name(priority, kind)
            if value is None or isinstance(value, bool) or not isinstance(value, int):
                errors[name] = [_("Enter a whole number of hours.")]
            elif not 1 <= value <= HOURS_MAX:
                errors[name] = [_("Between 1 and %(max)s hours.", max=f"{HOURS_MAX:,}")]
            else:
                values[kind] = value
        if len(values) == 2 and values["response"] > values["resolution"]:
            errors[field_name(priority, "response")] = [_("The response cannot be due after the resolution.")]
    return errors


def settings_errors(pattern, hours):
    """``{field: [message]}``: everything wrong with a pattern and hours an admin typed (empty: all good)."""
    errors = hours_errors(hours)
    problems = pattern_errors(pattern)
    if problems:
        errors["service_number_pattern"] = problems
    return errors


def change_service_settings(pattern, hours, *, actor):
    """Store the pattern and the hours, each change logged; returns the keys that changed.

    ``FieldErrors`` names every bad field (``service_number_pattern``,
    ``urgent_response``...) and nothing is stored.
    """
    pattern = (pattern or "").strip()
    errors = settings_errors(pattern, hours)
    if errors:
        raise FieldErrors(errors)
    values = {"service_number_pattern": pattern,
              "service_due_hours": {priority: {kind: hours[priority][kind] for kind in KINDS}
                                    for priority in PRIORITIES}}
    changed = []
    for key, value in values.items():
        old = get_setting(key)
        if old == value:
            continue
        set_setting(key, value, actor=actor)
        record("setting_changed", None, actor=actor, target_type="setting", label=key, key=key, old=old, new=value)
        changed.append(key)
    db.session.commit()
    return changed
