"""C12: a contact's phone and email in full only for the customer's owner and the owner's superiors.

Everyone else who may see the customer (holders of "see all", and later the
public pool) reads ``138****5678`` and ``z***@example.com``, in pages, the
API, exports and the change log alike. Admins head the company's tree, so
they count as everyone's superior. The rule is the hierarchy alone: the
"see all" right widens what one sees, not whose numbers one may read.

Search follows the same rule (``search.search_filter``): a phone number only
finds customers whose numbers the searcher may read, so typing a full number
cannot confirm whose it is.
"""
import re

from crm_saas.core.visibility import subtree_ids

_DIGIT = re.compile(r"\d")


def unmasked_owner_ids(user):
    """Owner ids whose contacts ``user`` reads in full (self and subtree), or None for all (admins)."""
    if user.role == "admin":
        return None
    return subtree_ids(user.id)


def reads_contacts_of(user, owner_id):
    owners = unmasked_owner_ids(user)
    return owners is None or owner_id in owners


def mask_phone(phone):
    """Keep the first 3 and last 4 digits (138****5678, 010****6666); shorter numbers keep only 2."""
    if not phone:
        return phone
    digits = [m.start() for m in _DIGIT.finditer(phone)]
    keep_head, keep_tail = (3, 4) if len(digits) >= 10 else (0, 2)
    hidden = set(digits[keep_head:len(digits) - keep_tail])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(phone))


def mask_email(email):
    """``z***@example.com``: the first letter and the domain, enough to recognise, not to write to."""
    if not email or "@" not in email:
        return email and "***"
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def contact_details(user, customer, contact):
    """``(phone, email)`` of ``contact`` as ``user`` may read them."""
    if reads_contacts_of(user, customer.owner_id):
        return contact.phone, contact.email
    return mask_phone(contact.phone), mask_email(contact.email)
