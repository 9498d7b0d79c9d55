"""Checking deal and follow-up rows: each names its customer, and is judged by its feature's own rules.

A row's customer is the one the importer may see whose id in an earlier
file (``external_ref``: seed 002's 客户ID), number or name equals the
row's customer cell, in that order. Deals are judged by ``deal_errors``,
follow-ups by ``activity_errors``, the rules the forms and the API use; the
stage and the type are read in either language (潜在, 成交, 电话, 邮件 ...).
A deal whose 机会ID was imported before (or earlier in the file) is a
duplicate: skipped unless the policy is ``create`` (deals are not updated
by an import).
"""
from types import SimpleNamespace

from flask_babel import gettext as _
from sqlalchemy import or_, select

from crm_saas.blueprints.activities.services import TYPES, activity_errors
from crm_saas.blueprints.custom_fields.services import definitions
from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.customers.services import visible_customers
from crm_saas.blueprints.imports.services.customer_rows import CustomerRows
from crm_saas.blueprints.imports.services.fields import fold
from crm_saas.blueprints.imports.services.rows import CREATE, ERROR, SKIP
from crm_saas.blueprints.imports.services.values import (
    Campaigns,
    Choices,
    People,
    parse_datetime,
    present,
    text,
)
from crm_saas.blueprints.pipeline.models import Deal
from crm_saas.blueprints.pipeline.services import default_pipeline, visible_deals
from crm_saas.blueprints.pipeline.services.deals import deal_errors
from crm_saas.blueprints.pipeline.services.defaults import STAGE_LABELS
from crm_saas.extensions import db

REF_MAX = 100
TYPE_WORDS = {"电话": "call", "phone": "call", "拜访": "visit", "上门": "visit", "邮件": "email", "e-mail": "email",
              "会议": "meeting", "微信": "wechat"}
# Words for where a deal stands, beyond the stages' names: the stage of that kind (the first open one).
STAGE_WORDS = {"潜在": "open", "线索": "open", "lead": "open", "potential": "open", "成交": "won", "赢单": "won",
               "won": "won", "输单": "lost", "丢单": "lost", "lost": "lost"}
# The import field a deal rule's error names, where the two differ.
DEAL_RULE_FIELDS = {"owner_id": "owner", "campaign_id": "campaign"}
ACTIVITY_FIELDS = ("type", "occurred_at", "summary", "feedback", "offer", "next_action", "next_follow_up_at",
                   "participants", "duration_minutes")


def _ref(values, key, errors):
    ref = text(values.get(key))
    if ref and len(ref) > REF_MAX:
        errors[key] = [_("At most %(max)d characters.", max=REF_MAX)]
    return ref


class LinkedCheck:
    """What deals and follow-ups share: finding each row's customer among those the importer sees."""

    def __init__(self, imp, actor):
        self.imp, self.actor, self.policy = imp, actor, imp.duplicate_policy
        self.people = People(actor)

    def _customers(self, chunk):
        refs = {text(row.values.get("customer_ref")) for row in chunk} - {None}
        if not refs:
            return {}
        folded = {fold(ref) for ref in refs}
        found = db.session.scalars(visible_customers(self.actor).where(or_(
            Customer.external_ref.in_(refs), Customer.number.in_(refs), Customer.name.in_(refs),
            Customer.name_key.in_(folded))).order_by(Customer.id)).all()
        by = {}
        for customer in found:  # the file's id first, then the number, then the name
            for rank, key in ((0, customer.external_ref), (1, customer.number), (2, customer.name),
                              (3, customer.name_key)):
                if key and (key not in by or by[key][0] > rank):
                    by[key] = (rank, customer)
        return {ref: (by.get(ref) or by.get(fold(ref)) or (None, None))[1] for ref in refs}

    def _customer(self, row, customers):
        ref = text(row.values.get("customer_ref"))
        customer = customers.get(ref) if ref else None
        if ref and customer is None:
            row.errors.setdefault("customer_ref", []).append(
                _("No customer you can see has this customer ID, number or name: %(value)s.", value=ref))
        return customer


class DealCheck(LinkedCheck):
    def __init__(self, imp, actor):
        super().__init__(imp, actor)
        self.pipeline = default_pipeline()
        stages = {s.id: s for s in self.pipeline.stages}
        self.stages = stages
        names = {s.id: s.name for s in stages.values()}
        labels = {s.id: STAGE_LABELS.get(s.code, s.name) for s in stages.values()}
        first = {kind: next((s.id for s in stages.values() if s.kind == kind), None)
                 for kind in ("open", "won", "lost")}
        words = {word: first[kind] for word, kind in STAGE_WORDS.items() if first[kind]}
        self.stage_choices = Choices({**labels}, {**{name: sid for sid, name in names.items()}, **words})
        self.custom = CustomerRows._custom_value
        self.definitions = {d.key: d for d in definitions("deal")}
        self.campaigns = Campaigns()
        self.seen = set()

    def check(self, chunk):
        customers = self._customers(chunk)
        refs = {text(row.values.get("deal_ref")) for row in chunk} - {None}
        known = set(db.session.scalars(select(Deal.external_ref).where(Deal.external_ref.in_(refs)))) if refs else set()
        for row in chunk:
            self._row(row, customers, known)
        return chunk

    def _row(self, row, customers, known):
        values, errors = row.values, row.errors
        customer = self._customer(row, customers)
        data = {"name": text(values.get("name")), "key_actions": text(values.get("key_actions"))}
        for key in ("amount", "probability"):
            if present(values, key):
                data[key] = values[key] if isinstance(values[key], (int, float)) else text(values[key])
        if present(values, "expected_close"):
            when = parse_datetime(values["expected_close"])
            data["expected_close"] = when.date().isoformat() if when else text(values["expected_close"])
        data["custom"] = {key: self.custom(d, values[f"custom.{key}"]) for key, d in self.definitions.items()
                          if present(values, f"custom.{key}")}
        if present(values, "owner"):
            data["owner_id"] = self.people.find(values["owner"])
            if data["owner_id"] is None:
                errors["owner"] = [self.people.message(values["owner"])]
                data.pop("owner_id")
        if present(values, "campaign"):  # none named: the deal takes its customer's (create_deal)
            data["campaign_id"], error = self.campaigns.find(values["campaign"])
            if error:
                errors["campaign"] = [error]
                data.pop("campaign_id")
        _values, found = deal_errors(data, actor=self.actor)
        for key, messages in found.items():
            errors.setdefault(DEAL_RULE_FIELDS.get(key, key.split(".")[0]), []).extend(map(str, messages))
        if present(values, "stage"):
            stage_id = self.stage_choices.code(values["stage"])
            stage = self.stages.get(stage_id) if isinstance(stage_id, int) else None
            if stage is None:
                errors["stage"] = [_("Choose a stage of this pipeline.")]
            elif stage.kind == "lost":
                errors["stage"] = [_("A new deal cannot start as lost.")]
            else:
                data["stage_id"] = stage.id
        if customer is not None and customer.status != "active":
            errors["customer_ref"] = [_("Deals can be added once the customer has been approved.")]
        ref = _ref(values, "deal_ref", errors)
        row.data, row.extra = data, {"customer": customer, "external_ref": ref}
        row.action = ERROR if errors else CREATE
        if row.action == CREATE and ref and (ref in known or ref in self.seen):
            row.duplicate = _("A deal with this deal ID was imported before: %(ref)s.", ref=ref)
            row.action = CREATE if self.policy == "create" else SKIP
        if row.action == CREATE and ref:
            self.seen.add(ref)


class ActivityCheck(LinkedCheck):
    def __init__(self, imp, actor):
        super().__init__(imp, actor)
        self.types = Choices(TYPES, TYPE_WORDS)

    def check(self, chunk):
        customers = self._customers(chunk)
        deal_refs = {text(row.values.get("deal_ref")) for row in chunk} - {None}
        deals = {}
        if deal_refs:
            for deal in db.session.scalars(visible_deals(self.actor).where(Deal.external_ref.in_(deal_refs))):
                deals.setdefault((deal.customer_id, deal.external_ref), deal.id)
        for row in chunk:
            self._row(row, customers, deals)
        return chunk

    def _row(self, row, customers, deals):
        values, errors = row.values, row.errors
        customer = self._customer(row, customers)
        data = {key: text(values.get(key)) for key in ACTIVITY_FIELDS}
        data["type"] = self.types.code(values["type"]) if present(values, "type") else None
        for key in ("occurred_at", "next_follow_up_at"):
            if present(values, key):
                when = parse_datetime(values[key])
                data[key] = when.isoformat() if when else text(values[key])
        if present(values, "duration_minutes") and isinstance(values["duration_minutes"], (int, float)):
            data["duration_minutes"] = values["duration_minutes"]
        deal_ref = text(values.get("deal_ref"))
        if deal_ref:
            data["deal_id"] = deals.get((getattr(customer, "id", None), deal_ref))
            if data["deal_id"] is None and customer is not None:
                errors["deal_ref"] = [_("No deal of this customer that you can see has this deal ID: %(ref)s.",
                                        ref=deal_ref)]
        if customer is not None:
            stand_in = SimpleNamespace(customer=customer, deal_id=None)  # the row's customer, found once a chunk
            _values, _customer, found = activity_errors(data, user=self.actor, activity=stand_in)
            for key, messages in found.items():
                errors.setdefault("deal_ref" if key == "deal_id" else key, []).extend(map(str, messages))
        row.data, row.extra = data, {"customer": customer}
        row.action = ERROR if errors else CREATE
