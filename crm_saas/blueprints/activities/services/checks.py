"""Checks that follow-ups and tasks share: ids as forms and JSON send them, a deal of the right customer."""
from flask_babel import gettext as _

from crm_saas.blueprints.pipeline.services import get_visible_deal


def as_int(value):
    """An id from JSON (int) or a form (digits); None for anything else, booleans included."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def visible_deal_of(raw, customer, user, errors):
    """The deal named by ``raw`` if ``user`` sees it and it is ``customer``'s (any customer when None).

    Returns the Deal or None; a named deal that fails is an error on
    ``deal_id``, worded the same whether it is missing, hidden or someone
    else's, so the message confirms nothing.
    """
    if raw in (None, ""):
        return None
    deal_id = as_int(raw)
    deal = get_visible_deal(user, deal_id) if deal_id else None
    if deal is None or (customer is not None and deal.customer_id != customer.id):
        errors["deal_id"] = [_("Choose a deal of this customer that you can see.")]
        return None
    return deal
