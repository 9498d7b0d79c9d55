"""How the webhooks pages name events, statuses and failures in the reader's language (the API speaks codes)."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from crm_saas.blueprints.webhooks.services import PING

EVENT_LABELS = {
    "customer.created": _l("Customer created"),
    "customer.updated": _l("Customer updated"),
    "customer.deleted": _l("Customer deleted (to the recycle bin)"),
    "customer.restored": _l("Customer restored"),
    "deal.created": _l("Deal created"),
    "deal.moved": _l("Deal moved to another stage"),
    "deal.won": _l("Deal won"),
    "deal.lost": _l("Deal lost"),
    "follow_up.created": _l("Follow-up recorded"),
    "service_request.created": _l("Service request created"),
    "service_request.changed": _l("Service request changed"),
    PING: _l("Test event"),
}

STATUS_LABELS = {"pending": _l("Waiting to be sent"), "delivered": _l("Delivered"), "failed": _l("Given up")}
STATUS_CLASSES = {"pending": "bg-yellow-lt", "delivered": "bg-green-lt", "failed": "bg-red-lt"}

ERROR_LABELS = {
    "bad_url": _l("The address is not a valid http(s) address."),
    "refused_destination": _l("The address is on a private or local network, which is not allowed."),
    "unresolved": _l("The host could not be found."),
    "unreachable": _l("The receiver could not be reached."),
    "timeout": _l("The receiver did not answer in time."),
    "tls": _l("The secure connection failed (certificate or TLS)."),
    "bad_response": _l("The receiver's answer was not valid HTTP."),
}

REASON_LABELS = {
    "failures": _l("Turned off after repeated failed deliveries."),
    "manual": _l("Turned off by hand."),
}


def event_label(code):
    return str(EVENT_LABELS.get(code, code))


def outcome_label(delivery):
    """What the last attempt got: the error's words, the HTTP status, or nothing yet."""
    if delivery.error:
        return str(ERROR_LABELS.get(delivery.error, delivery.error))
    if delivery.status_code is not None:
        return _("HTTP %(code)s", code=delivery.status_code)
    return ""

