"""What the top bar's search finds: a few of each kind, each through its owner's search.

The customers feature decides what a customer or contact search matches (numbers,
names, any run of a phone's digits) and the pipeline what a deal search does;
both keep the visibility rule and the masking rule, so this module only groups, and leaves out the kinds
whose module the viewer does not hold (B4: a service role finds no deals).
"""
from dataclasses import dataclass, field

from crm_saas.blueprints.customers.services.search import search_contacts, search_customers
from crm_saas.blueprints.pipeline.services.deal_list import list_deals
from crm_saas.core.permissions import can

PER_GROUP = 5


@dataclass
class Found:
    q: str
    customers: list = field(default_factory=list)
    customers_total: int = 0
    contacts: list = field(default_factory=list)
    deals: list = field(default_factory=list)
    deals_total: int = 0

    @property
    def empty(self):
        return not (self.customers or self.contacts or self.deals)


def search_everything(user, q, per_group=PER_GROUP):
    q = (q or "").strip()
    if not q:
        return Found(q)
    found = Found(q)
    if can(user, "customers"):
        customers, total = search_customers(user, q=q, per_page=per_group)
        found.customers, found.customers_total = customers, total or 0
        found.contacts = search_contacts(user, q, limit=per_group)
    if can(user, "deals"):
        deals, total = list_deals(user, q=q, per_page=per_group)
        found.deals, found.deals_total = deals, total or 0
    return found
