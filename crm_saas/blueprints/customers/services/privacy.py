"""C12: a contact's phone and email in full only for the customer's owner and the owner's superiors.

Everyone else who may see the customer (holders of "see all", and everyone
looking into the public pool, where a customer has no owner) reads
``138****5678`` and ``z***@example.com``, in pages, the API, exports and
the change log alike. Admins head the company's tree, so they count as
everyone's superior. The rule is the hierarchy alone: the
"see all" right widens what one sees, not whose numbers one may read.

``ContactReader`` is the one place that applies the rule: every read path
(pages, forms, htmx fragments, the API, exports, the change log) asks it for
a contact's phone and email, so a value the viewer may not read never
leaves the server. A form or a PATCH that sends a masked value back
unchanged keeps the stored one (``ContactReader.restore``).

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


# Change-log fields whose values are a contact's phone or email, or a whole contact.
_PHONE_FIELDS, _EMAIL_FIELDS = {"contact.phone"}, {"contact.email"}


class ContactReader:
    """What one user may read of contact details, by the owner of the customer they belong to."""

    def __init__(self, user):
        self._owners = unmasked_owner_ids(user)

    def reads(self, owner_id):
        """No owner (a customer in the public pool, C11): masked for everyone, admins too, until claimed."""
        return owner_id is not None and (self._owners is None or owner_id in self._owners)

    def phone(self, owner_id, value):
        return value if self.reads(owner_id) else mask_phone(value)

    def email(self, owner_id, value):
        return value if self.reads(owner_id) else mask_email(value)

    def contact(self, customer, contact):
        """``contact`` in the API's input shape (what forms and PATCH carry), phone and email as readable."""
        return {"id": contact.id, "name": contact.name, "title": contact.title,
                "phone": self.phone(customer.owner_id, contact.phone),
                "email": self.email(customer.owner_id, contact.email),
                "wechat": contact.wechat, "role": contact.role, "primary": contact.is_primary}

    def change_value(self, customer, field, value):
        """A change-log ``old``/``new`` as readable: a phone, an email, or a whole contact (added, removed)."""
        if self.reads(customer.owner_id) or value is None:
            return value
        if field in _PHONE_FIELDS:
            return mask_phone(value)
        if field in _EMAIL_FIELDS:
            return mask_email(value)
        if isinstance(value, dict) and ("phone" in value or "email" in value):
            return {**value, "phone": mask_phone(value.get("phone")), "email": mask_email(value.get("email"))}
        return value

    def restore(self, customer, contacts):
        """Submitted ``contacts`` with every masked value sent back unchanged replaced by the stored one.

        A viewer who reads ``138****5678`` and saves the form as it was must
        not overwrite the number with its mask; a value they typed anew is theirs.
        """
        if self.reads(customer.owner_id) or not isinstance(contacts, list):
            return contacts
        stored = {c.id: c for c in customer.contacts}
        restored = []
        for item in contacts:
            known = stored.get(_as_id(item.get("id"))) if isinstance(item, dict) else None
            if known is not None:
                item = dict(item)
                if item.get("phone") == mask_phone(known.phone):
                    item["phone"] = known.phone
                if item.get("email") == mask_email(known.email):
                    item["email"] = known.email
            restored.append(item)
        return restored


def _as_id(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None
