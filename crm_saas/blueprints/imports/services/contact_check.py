"""Checking extra-contact rows: each names its customer (as deals do) and is judged by the form's contact rules.

A contact the customer already has, or that the file gave it a row before,
is a duplicate: the same phone number however typed (``phone_key``), or,
for a contact without a phone, the same name. Duplicates are skipped unless
the policy is ``create`` (contacts are not updated by an import).
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm_saas.blueprints.customers.models import Contact
from crm_saas.blueprints.customers.services.codes import CONTACT_ROLES
from crm_saas.blueprints.customers.services.keys import name_key, phone_key
from crm_saas.blueprints.customers.services.validation import contact_errors
from crm_saas.blueprints.imports.services.linked_check import LinkedCheck
from crm_saas.blueprints.imports.services.rows import CREATE, ERROR, SKIP
from crm_saas.blueprints.imports.services.values import Choices, present, text
from crm_saas.extensions import db

CONTACT_TEXT = ("name", "title", "phone", "email", "wechat")
YES_NO = {"yes": _l("Yes"), "no": _l("No")}
YES_NO_WORDS = {"是": "yes", "否": "no", "y": "yes", "n": "no", "true": "yes", "false": "no", "1": "yes", "0": "no",
                "主联系人": "yes", "main": "yes"}


def contact_key(customer_id, contact):
    """What makes two contacts of a customer the same one: the phone's digits, else the folded name."""
    phone = phone_key(contact.get("phone"))
    return (customer_id, "phone", phone) if phone else (customer_id, "name", name_key(contact.get("name")))


class ContactCheck(LinkedCheck):
    def __init__(self, imp, actor):
        super().__init__(imp, actor)
        self.roles, self.yes_no = Choices(CONTACT_ROLES), Choices(YES_NO, YES_NO_WORDS)
        self.seen = set()

    def check(self, chunk):
        customers = self._customers(chunk)
        ids = {customer.id for customer in customers.values() if customer is not None}
        known = set()
        if ids:
            stored = db.session.execute(select(Contact.customer_id, Contact.name, Contact.phone)
                                        .where(Contact.customer_id.in_(ids)))
            known = {contact_key(cid, {"name": name, "phone": phone}) for cid, name, phone in stored}
        for row in chunk:
            self._row(row, customers, known)
        return chunk

    def _row(self, row, customers, known):
        values, errors = row.values, row.errors
        customer = self._customer(row, customers)
        if customer is None and "customer_ref" not in errors:
            errors["customer_ref"] = [_("Name the customer: its customer ID, number or name.")]
        data = {key: text(values.get(key)) for key in CONTACT_TEXT}
        if present(values, "role"):
            data["role"] = self.roles.code(values["role"])
        primary = self.yes_no.code(values["primary"]) if present(values, "primary") else "no"
        if primary not in YES_NO:
            errors["primary"] = [_("Enter yes or no.")]
        data["primary"] = primary == "yes"
        for key, messages in contact_errors(data, primary=data["primary"]).items():
            errors.setdefault(key, []).extend(map(str, messages))
        row.data, row.extra = data, {"customer": customer}
        row.action = ERROR if errors else CREATE
        if row.action != CREATE:
            return
        key = contact_key(customer.id, data)
        if key in known or key in self.seen:
            row.duplicate = _("The customer already has this contact: %(name)s.", name=data["name"])
            row.action = CREATE if self.policy == "create" else SKIP
        if row.action == CREATE:
            self.seen.add(key)
