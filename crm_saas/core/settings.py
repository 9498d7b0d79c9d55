"""Company settings (B4, C1, C9, D3, E2): one JSON value per key in the tenant schema, defaults in code.

Storing only what an admin changed lets a new default reach every company
that never touched it, with no data migration. One request reads the table
once (``all_settings`` caches on ``g``). The settings pages, which change
these values and log each change, are the ``settings`` feature.
"""
from datetime import datetime
from typing import Any

from flask import g, has_request_context
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from crm_saas.core import crypto
from crm_saas.core.base import TENANT_SCHEMA, TenantTable, utcnow
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
    # C1: how customer numbers are made (customers/services/numbering.py).
    "customer_number_pattern": "CRM{YYYY}{MM}{DD}{SEQ:4}",
    # C9: the company's own customer classes or tiers, in the order they are offered.
    "customer_categories": [],
    # C9: days a deleted customer waits in the recycle bin before it is purged for good.
    "recycle_bin_days": 30,
    # D3: an open deal with no follow-up for this many days stands out on the board ("rotting").
    "deal_rotting_days": 14,
    # A new company's first-run checklist on the board (pipeline/services/onboarding.py): done or dismissed.
    "onboarding_done": False,
    # F1: how service request numbers are made (same tokens as customer numbers).
    "service_number_pattern": "SR{YYYY}{MM}{DD}{SEQ:4}",
    # F1: hours to the first response and to the resolution, per priority.
    "service_due_hours": {
        "urgent": {"response": 1, "resolution": 8},
        "high": {"response": 4, "resolution": 24},
        "normal": {"response": 8, "resolution": 72},
        "low": {"response": 24, "resolution": 168},
    },
    # Webhooks may reach private and loopback addresses only when this is on (an on-premise integration).
    "webhook_allow_private": False,
    # E2: reminders by email; empty host means no email is sent. The password is kept as typed.
    "smtp": {"host": "", "port": 587, "username": "", "password": "", "sender": "", "tls": True},
}


# Parts of a setting's value that are secrets: encrypted at rest (core/crypto.py), and never logged as they are.
SECRETS = {"smtp": ("password",)}


class Setting(TenantTable, db.Model):
    """A key absent from the table means the default in ``DEFAULTS``."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONB)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.users.id"))


def all_settings():
    """The company's settings merged over the defaults, cached on ``g`` for the request."""
    cached = g.get("tenant_settings") if has_request_context() else None
    if cached is not None:
        return cached
    values = dict(DEFAULTS)
    values.update({row.key: _revealed(row.key, row.value) for row in db.session.scalars(select(Setting))})
    if has_request_context():
        g.tenant_settings = values
    return values


def _sealed(key, value):
    """``value`` as stored: its secret parts encrypted."""
    if key not in SECRETS or not isinstance(value, dict):
        return value
    return {**value, **{name: crypto.encrypt(value.get(name)) for name in SECRETS[key] if value.get(name)}}


def _revealed(key, value):
    if key not in SECRETS or not isinstance(value, dict):
        return value
    return {**value, **{name: crypto.decrypt(value.get(name)) for name in SECRETS[key] if value.get(name)}}


def get_setting(key):
    return all_settings()[key]


def set_setting(key, value, *, actor):
    """Store ``value`` (no commit: the caller commits it with its log entry)."""
    if key not in DEFAULTS:
        raise KeyError(key)
    value = _sealed(key, value)
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value, updated_by_id=actor.id))
    else:
        row.value, row.updated_by_id = value, actor.id
    if has_request_context():
        g.pop("tenant_settings", None)
