"""Template globals: partials that load their own data (timeline, bell, form) and words for deal changes.

A page includes ``activities/_timeline.html`` or ``_form.html`` with
``subject`` and ``record`` and nothing else: the partial asks these for
what it shows, so every page shows the same thing the same way.
"""
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm_saas.blueprints.activities import forms, services
from crm_saas.blueprints.activities.services import tasks
from crm_saas.blueprints.activities.services.timeline import timeline_for

DEAL_FIELDS = {
    "name": _l("Deal name"), "amount": _l("Expected amount"), "expected_close": _l("Expected close date"),
    "probability": _l("Probability"), "owner_id": _l("Owner"), "products": _l("Products"),
    "key_actions": _l("Key actions"), "lost_reason": _l("Lost reason"), "customer_id": _l("Customer"),
    "campaign_id": _l("Campaign"),
}


def activity_form_for(subject, record):
    """A blank follow-up form for the customer page (``subject`` "customer") or a deal page ("deal")."""
    if subject == "deal":
        return forms.blank_form(current_user, record.customer, record, "deal")
    return forms.blank_form(current_user, record)


def may_edit_activity(activity):
    return services.may_edit(current_user, activity)


def task_bell():
    """``(due, overdue)`` for the nav's bell: the viewer's open tasks due today or earlier."""
    return tasks.bell_counts(current_user)


def deal_change_field(change):
    if (change.field or "").startswith("custom."):
        return change.label or change.field[7:]
    return DEAL_FIELDS.get(change.field, change.field or "")


def deal_change_value(change, value):
    """A deal change-log value for reading; deals hold no contact details, so nothing here needs masking."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if change.field == "products" and isinstance(value, list):
        return "; ".join(_product(line) for line in value)
    if change.field == "probability":
        return f"{value}%"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _product(line):
    if not isinstance(line, dict):
        return str(line)
    try:
        price = Decimal(str(line.get("price")))
    except (InvalidOperation, ValueError):
        price = line.get("price")
    return f"{line.get('name', '')} × {line.get('quantity', '')} @ {price}"


def init_app(bp):
    for function in (activity_form_for, may_edit_activity, task_bell, deal_change_field, deal_change_value,
                     timeline_for):
        bp.add_app_template_global(function)
    bp.add_app_template_global(services.type_label, "activity_type_label")
