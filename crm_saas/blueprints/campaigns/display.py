"""How a segment's saved filter reads to people: "Industry: Manufacturing · Company size: 21-100 staff"."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm_saas.blueprints.campaigns.services.segments import dormant_days
from crm_saas.blueprints.custom_fields.services import definitions
from crm_saas.blueprints.customers.pages import SORT_LABELS
from crm_saas.blueprints.customers.services import codes
from crm_saas.core.staff import picked_person

_CODED = {"type": codes.CUSTOMER_TYPES, "industry": codes.INDUSTRIES, "source": codes.SOURCES,
          "status": codes.STATUSES, "size": codes.SIZES}
_PLAIN = {"q": _l("Search"), "province": _l("Province"), "city": _l("City"), "district": _l("District"),
          "category": codes.FIELD_LABELS["category"], "created_from": _l("Created from"),
          "created_to": _l("Created until"), "tag": codes.FIELD_LABELS["tags"],
          "owner_id": codes.FIELD_LABELS["owner_id"], "sort": _l("Order")}
_ENDS = {"min": _l("at least"), "max": _l("at most"), "from": _l("from"), "to": _l("until")}


def filter_summary(segment):
    """``[(label, value)]`` of the segment's filters, in the order they were saved; the rule of a ready-made one."""
    if segment.builtin:
        return [(_("Rule"), _("No follow-up and no deal for %(days)s days", days=dormant_days(segment)))]
    fields = {d.key: d.label for d in definitions("customer")}
    summary = []
    for key, value in (segment.filters or {}).items():
        values = value if isinstance(value, list) else [value]
        if key in _CODED:
            summary += [(codes.FIELD_LABELS[key], codes.label(_CODED[key], v)) for v in values]
        elif key == "owner_id":
            person = picked_person(current_user, "visible", int(value)) if str(value).isdigit() else None
            summary.append((_PLAIN[key], person.name if person else _("someone you cannot see")))
        elif key == "sort":
            summary.append((_PLAIN[key], SORT_LABELS.get(value, value)))
        elif key.startswith("cf-"):
            summary += [(_custom_label(key[3:], fields), v) for v in values]
        else:
            summary += [(_PLAIN.get(key, key), v) for v in values]
    return summary


def _custom_label(name, fields):
    for end, word in _ENDS.items():
        if name.endswith(f"-{end}") and name[:-len(end) - 1] in fields:
            return f"{fields[name[:-len(end) - 1]]} ({word})"
    return str(fields.get(name, name))
