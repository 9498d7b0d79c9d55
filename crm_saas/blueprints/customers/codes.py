"""Default code lists (API.md "Default codes"); the UI shows their labels in the reader's language."""
from flask_babel import lazy_gettext as _l

CUSTOMER_TYPES = {
    "potential": _l("Potential customer"),
    "intent": _l("Intent customer"),
    "closed": _l("Closed customer"),
    "lost": _l("Lost customer"),
}
INDUSTRIES = {
    "manufacturing": _l("Manufacturing"),
    "it": _l("IT / Internet"),
    "retail": _l("Retail and trade"),
    "finance": _l("Finance"),
    "services": _l("Services"),
    "other": _l("Other"),
}
SOURCES = {
    "online_inquiry": _l("Online inquiry"),
    "exhibition": _l("Exhibition"),
    "referral": _l("Referral"),
    "outbound": _l("Outbound"),
    "campaign": _l("Marketing campaign"),
    "other": _l("Other"),
}
# B4: a rep's entry waits for approval when the company asks for it.
STATUSES = {
    "active": _l("Active"),
    "pending": _l("Pending approval"),
    "rejected": _l("Rejected"),
}
CONTACT_ROLES = {
    "decision_maker": _l("Decision maker"),
    "influencer": _l("Influencer"),
    "user": _l("User"),
}


def label(codes, code):
    """The label of ``code``, or the code itself for one an admin added later."""
    return codes.get(code, code)
