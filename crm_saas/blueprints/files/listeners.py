"""How files react to other features' events (crm_saas.core.signals): they go where their record goes."""
from crm_saas.blueprints.files.services import move_attachments, purge_attachments
from crm_saas.core import signals


def connect():
    signals.customers_purging.connect(_purge_customer_files)
    signals.deals_purging.connect(_purge_deal_files)
    signals.customers_merged.connect(_follow_merge)


def _purge_customer_files(customer_ids, **_):
    purge_attachments("customer", customer_ids)


def _purge_deal_files(deal_ids, **_):
    purge_attachments("deal", deal_ids)


def _follow_merge(other, *, into, **_):
    return {"files": move_attachments("customer", other.id, into.id)}
