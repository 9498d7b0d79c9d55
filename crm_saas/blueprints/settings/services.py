"""Reading and changing company settings; one request reads them once."""
from flask import g, has_request_context
from sqlalchemy import select

from crm_saas.blueprints.settings.models import Setting
from crm_saas.extensions import db

# Every key a company can change, with the value it starts with.
DEFAULTS = {
    # B4: customers entered by a rep wait for a supervisor's approval.
    "customer_approval": False,
    # role -> granted permission codes; admins always hold every permission.
    "role_permissions": {
        "supervisor": ["transfer_customers", "export", "approve_customers", "delete_customers"],
        "rep": [],
    },
    # C1: how customer numbers are made (customers/numbering.py).
    "customer_number_pattern": "CRM{YYYY}{MM}{DD}{SEQ:4}",
    # C9: the company's own customer classes or tiers, in the order they are offered.
    "customer_categories": [],
    # C9: days a deleted customer waits in the recycle bin before it is purged for good.
    "recycle_bin_days": 30,
    # D3: an open deal with no follow-up for this many days stands out on the board ("rotting").
    "deal_rotting_days": 14,
    # E2: reminders by email; empty host means no email is sent. The password is kept as typed.
    "smtp": {"host": "", "port": 587, "username": "", "password": "", "sender": "", "tls": True},
}


def all_settings():
    """The company's settings merged over the defaults, cached on ``g`` for the request."""
    cached = g.get("tenant_settings") if has_request_context() else None
    if cached is not None:
        return cached
    values = dict(DEFAULTS)
    values.update({row.key: row.value for row in db.session.scalars(select(Setting))})
    if has_request_context():
        g.tenant_settings = values
    return values


def get_setting(key):
    return all_settings()[key]


def set_setting(key, value, *, actor):
    """Store ``value`` (no commit: the caller commits it with its log entry)."""
    if key not in DEFAULTS:
        raise KeyError(key)
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value, updated_by_id=actor.id))
    else:
        row.value, row.updated_by_id = value, actor.id
    if has_request_context():
        g.pop("tenant_settings", None)
