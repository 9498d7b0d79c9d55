"""The codes campaigns speak in (the API's values) and the words people read for them."""
from flask_babel import lazy_gettext as _l

CHANNELS = {
    "online": _l("Online promotion"),
    "exhibition": _l("Exhibition"),
    "email": _l("Email"),
    "sms": _l("Text message"),
    "wechat": _l("WeChat"),
    "offline": _l("Offline event"),
    "other": _l("Other"),
}
STATUSES = {
    "planned": _l("Planned"),
    "active": _l("Running"),
    "finished": _l("Finished"),
    "cancelled": _l("Cancelled"),
}
# How a targeted customer answered, roughly in the order a campaign moves them along.
MEMBER_STATUSES = {
    "invited": _l("Invited"),
    "sent": _l("Sent"),
    "opened": _l("Opened"),
    "responded": _l("Responded"),
    "registered": _l("Registered"),
    "attended": _l("Attended"),
    "converted": _l("Converted"),
    "declined": _l("Declined"),
}
# A member counts as having answered from "responded" on (a decline is an answer too).
ANSWERED = ("responded", "registered", "attended", "converted", "declined")
FIELD_LABELS = {
    "name": _l("Name"),
    "channel": _l("Channel"),
    "starts_on": _l("Starts on"),
    "ends_on": _l("Ends on"),
    "budget": _l("Budget"),
    "cost": _l("Actual cost"),
    "status": _l("Status"),
    "owner_id": _l("Owner"),
    "description": _l("Description"),
}


def label(table, code):
    return table.get(code, code) if code else ""
