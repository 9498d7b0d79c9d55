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

# What each field is called on forms, in messages and in the change log.
FIELD_LABELS = {
    "number": _l("Customer number"),
    "name": _l("Customer name"),
    "industry": _l("Industry"),
    "industry_note": _l("Industry note"),
    "type": _l("Customer type"),
    "source": _l("Source"),
    "category": _l("Category"),
    "size": _l("Company size"),
    "province": _l("Province"),
    "city": _l("City"),
    "district": _l("District"),
    "address": _l("Street address"),
    "tags": _l("Tags"),
    "remarks": _l("Remarks"),
    "needs": _l("Needs and pain points"),
    "goals": _l("Business goals"),
    "past_dealings": _l("Past dealings"),
    "owner_id": _l("Owner"),
    "status": _l("Status"),
    "created_at": _l("Created"),
    "contacts": _l("Contacts"),
    "campaign_id": _l("Campaign"),
}
CONTACT_FIELD_LABELS = {
    "name": _l("Contact name"),
    "title": _l("Contact title"),
    "phone": _l("Contact phone"),
    "email": _l("Contact email"),
    "wechat": _l("WeChat"),
    "role": _l("Contact role"),
    "primary": _l("Main contact"),
}
# Company size bands (C2: staff or revenue band); free text is accepted too, for bands a company uses.
SIZES = {
    "1-20": _l("1-20 staff"),
    "21-100": _l("21-100 staff"),
    "101-500": _l("101-500 staff"),
    "501-1000": _l("501-1,000 staff"),
    "1000+": _l("Over 1,000 staff"),
}
