"""The codes a service request speaks in (API.md "service request type" and the request's fields), with the
labels the pages show in the reader's language."""
from flask_babel import lazy_gettext as _l

TYPES = {
    "inquiry": _l("Inquiry"),  # 咨询
    "complaint": _l("Complaint"),  # 投诉
    "after_sales": _l("After-sales"),  # 售后
    "suggestion": _l("Suggestion"),  # 建议
}
PRIORITIES = {"low": _l("Low"), "normal": _l("Normal"), "high": _l("High"), "urgent": _l("Urgent")}
CHANNELS = {
    "phone": _l("Phone"), "email": _l("Email"), "wechat": _l("WeChat"), "web": _l("Website"),
    "visit": _l("Visit"), "other": _l("Other"),
}
# 新建 → 处理中 → 待客户确认 → 已解决 → 已关闭
STATUSES = {
    "new": _l("New"),
    "in_progress": _l("In progress"),
    "waiting_customer": _l("Waiting for the customer"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
}
# Work still to do: its due times run (waiting for the customer pauses nothing) and it may be overdue.
OPEN_STATUSES = ("new", "in_progress", "waiting_customer")
# Tabler badge colours per status and priority, so a queue reads at a glance.
STATUS_COLOURS = {"new": "blue", "in_progress": "azure", "waiting_customer": "yellow", "resolved": "green",
                  "closed": "secondary"}
PRIORITY_COLOURS = {"low": "secondary", "normal": "blue", "high": "orange", "urgent": "red"}

FIELD_LABELS = {
    "type": _l("Type"), "priority": _l("Priority"), "channel": _l("Channel"), "subject": _l("Subject"),
    "description": _l("Description"), "customer_id": _l("Customer"), "contact_id": _l("Contact"),
    "deal_id": _l("Deal"), "assignee_id": _l("Assignee"), "status": _l("Status"), "resolution": _l("Resolution"),
    "satisfaction": _l("Satisfaction"), "body": _l("Note"), "return_visit_at": _l("Return visit"),
}


def label(codes, code):
    """The label of ``code``, or the code itself for one the lists do not know (never an error on a page)."""
    return codes.get(code, code) if code else ""
