"""The company's roles (B4): the built-in three plus any the admin adds (e.g. 客服, 市场).

Every role is a row, so the API and the staff form name them all the same
way (``users.role`` holds the ``key``). The built-in rows carry no rights of
their own: admins hold everything always, supervisors' and reps' extra
rights stay in the ``role_permissions`` setting and they reach every module
(core/permissions.py). A custom role's rights are its row's ``rights``.
"""
from datetime import datetime

from flask import g, has_request_context
from sqlalchemy import String, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from crm_saas.core.base import TenantTable, utcnow
from crm_saas.extensions import db

BUILT_IN = ("admin", "supervisor", "rep")


class Role(TenantTable, db.Model):
    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    rights: Mapped[list] = mapped_column(JSONB, default=list, server_default=text("'[]'::jsonb"))
    built_in: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def custom_roles():
    """``{key: Role}`` of the roles an admin added, read once per request."""
    cached = g.get("custom_roles") if has_request_context() else None
    if cached is None:
        cached = {r.key: r for r in db.session.scalars(select(Role).where(Role.built_in.is_(False)).order_by(Role.id))}
        if has_request_context():
            g.custom_roles = cached
    return cached


def forget_roles():
    """Call after changing a role: the next question in this request reads the table again."""
    if has_request_context():
        g.pop("custom_roles", None)


def built_in_rows():
    """The rows a new company starts with (its provisioning adds them; migration 0015 added them to old ones)."""
    return [Role(key=key, name=key, rights=[], built_in=True) for key in BUILT_IN]
