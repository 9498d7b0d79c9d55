"""Checking customer rows a chunk at a time: the customer rules, then duplicates (C10).

A duplicate is a row whose folded name, main contact's folded phone or
customer id (the file's 客户ID) matches an earlier row of the file or a
customer in the company. Matches the importer may see are named; the others
are only counted (the one visibility rule decides which, as on entry). The
batch's policy then says what happens: ``skip`` it, ``update`` the visible
customer with the fields the row fills, or ``create`` it anyway. A duplicate
of an earlier row is skipped unless the policy is ``create``; one whose only
matches are hidden cannot be updated and is skipped.
"""
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import String, any_, bindparam, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.customers.models import Contact, Customer
from crm_saas.blueprints.customers.services import visible_customers
from crm_saas.blueprints.customers.services.keys import name_key, phone_key
from crm_saas.blueprints.imports.services.customer_rows import CustomerRows
from crm_saas.blueprints.imports.services.rows import CREATE, ERROR, SKIP, UPDATE
from crm_saas.extensions import db

NAMED_MATCHES = 3


def row_keys(row):
    """``[(kind, key)]`` a customer row is known by: folded name, folded phone, the file's id (kept on the row)."""
    if row.keys is None:
        contacts = row.data.get("contacts") or [{}]
        keys = [("name", name_key(row.data.get("name") or "")), ("phone", phone_key(contacts[0].get("phone") or "")),
                ("ref", row.extra.get("external_ref"))]
        row.keys = [(kind, key) for kind, key in keys if key]
    return row.keys


def _among(column, values):
    """``column = ANY(%s)`` with one array parameter: a thousand keys cost one bind, not a thousand."""
    return column == any_(bindparam(None, sorted(values), type_=ARRAY(String)))


class CustomerCheck:
    def __init__(self, imp, actor):
        self.imp, self.actor, self.policy = imp, actor, imp.duplicate_policy
        self.rows = CustomerRows(actor)
        # hash((kind, key)) -> the first row number that claimed it: an int per key rather than a tuple of
        # strings keeps 100,000 rows' keys in a few MiB (two keys colliding is a 1 in 10^9 chance).
        self.seen = {}

    def check(self, chunk):
        """Judge every row of ``chunk`` and settle its action; returns the chunk."""
        for row in chunk:
            row.data, row.extra, row.errors = self.rows.new(row.values)
            row.action = ERROR if row.errors else CREATE
        # An update needs only the fields it fills: a row refused as a new customer may still update one.
        candidates = chunk if self.policy == "update" else [row for row in chunk if row.action != ERROR]
        matches = self._matches(candidates)
        visible = self._visible({cid for found in matches.values() for cid, _n, _name in found})
        for row in candidates:
            self._settle(row, matches, visible)
        self._load_targets([row for row in candidates if row.action == UPDATE])
        return chunk

    def _matches(self, rows):
        """``{(kind, key): [(id, number, name)]}`` of the company's customers in use with those keys."""
        keys = {"name": set(), "phone": set(), "ref": set()}
        for row in rows:
            for kind, key in row_keys(row):
                keys[kind].add(key)
        if not any(keys.values()):
            return {}
        found = {}
        columns = (Customer.id, Customer.number, Customer.name, Customer.name_key, Customer.external_ref)
        if keys["name"] or keys["ref"]:
            stmt = select(*columns).where(Customer.deleted_at.is_(None), or_(
                _among(Customer.name_key, keys["name"]), _among(Customer.external_ref, keys["ref"])))
            for cid, number, name, nkey, ref in db.session.execute(stmt):
                for kind, key in (("name", nkey), ("ref", ref)):
                    if key in keys[kind]:
                        found.setdefault((kind, key), []).append((cid, number, name))
        if keys["phone"]:
            stmt = (select(Contact.phone_key, Customer.id, Customer.number, Customer.name)
                    .join(Customer, Customer.id == Contact.customer_id)
                    .where(Customer.deleted_at.is_(None), _among(Contact.phone_key, keys["phone"])))
            for key, cid, number, name in db.session.execute(stmt):
                found.setdefault(("phone", key), []).append((cid, number, name))
        return found

    def _visible(self, ids):
        if not ids:
            return set()
        return set(db.session.scalars(visible_customers(self.actor).with_only_columns(Customer.id)
                                      .where(Customer.id.in_(ids))))

    def _settle(self, row, matches, visible):
        keys = row_keys(row)
        hashes = [hash(key) for key in keys]
        earlier = next((self.seen[h] for h in hashes if h in self.seen), None)
        found = {cid: (number, name) for key in keys for cid, number, name in matches.get(key, ())}
        shown = sorted(cid for cid in found if cid in visible)
        hidden = len(found) - len(shown)
        if row.action == ERROR:
            if earlier is None and shown:  # policy update: judged below as the update it is
                row.errors, row.action, row.target = {}, UPDATE, shown[0]
                row.duplicate = self._words(shown, found, hidden)
                for h in hashes:
                    self.seen.setdefault(h, row.number)
            return
        if earlier is not None:
            row.duplicate = _("Same name, phone or customer ID as row %(row)s.", row=earlier)
            row.action = CREATE if self.policy == "create" else SKIP
        elif found:
            row.duplicate = self._words(shown, found, hidden)
            if self.policy == "create":
                row.action = CREATE
            elif self.policy == "update" and shown:
                row.action, row.target = UPDATE, shown[0]
            else:
                row.action = SKIP
        if row.action in (CREATE, UPDATE):
            for h in hashes:
                self.seen.setdefault(h, row.number)

    @staticmethod
    def _words(shown, found, hidden):
        parts = [f"{found[cid][0]} {found[cid][1]}" for cid in shown[:NAMED_MATCHES]]
        words = []
        if parts:
            words.append(_("Already in the CRM: %(customers)s.", customers="; ".join(parts)))
        if hidden:
            words.append(ngettext("%(num)s customer you cannot see has the same name, phone or customer ID.",
                                  "%(num)s customers you cannot see have the same name, phone or customer ID.",
                                  hidden))
        return " ".join(words)

    def _load_targets(self, rows):
        """The customers updates change, loaded at once; each update judged as the PATCH it is."""
        if not rows:
            return
        targets = {c.id: c for c in db.session.scalars(
            select(Customer).where(Customer.id.in_({row.target for row in rows}))
            .options(selectinload(Customer.contacts)))}
        for row in rows:
            row.target = targets[row.target]
            row.changes, errors = self.rows.changes(row.filled, row.target)
            if errors:
                row.errors, row.action = errors, ERROR
