"""The platform's own settings (the operator's): whether sign-ups wait, the trial's length, whom to contact.

A handful of rows in ``public.platform_settings``; a missing row is its default.
"""
from flask import current_app
from sqlalchemy import select

from crm_saas.extensions import db
from crm_saas.tenants.models import PlatformSetting


def _defaults():
    return {
        "approval_required": True,  # seed 003: 申请成功后，等待后台管理员审批
        "trial_days": int(current_app.config["CRM_TRIAL_DAYS"]),
        "contact_name": "",
        "contact_phone": "",
        "contact_email": "",
    }


def platform_settings():
    stored = dict(db.session.execute(select(PlatformSetting.key, PlatformSetting.value)).all())
    return {key: stored.get(key, {}).get("v", default) for key, default in _defaults().items()}


def platform_setting(key):
    return platform_settings()[key]


def set_platform_settings(values):
    """Store the given settings (no commit: the caller commits with its log entry); unknown keys are refused."""
    known = _defaults()
    for key, value in values.items():
        if key not in known:
            raise KeyError(key)
        row = db.session.get(PlatformSetting, key)
        if row is None:
            db.session.add(PlatformSetting(key=key, value={"v": value}))
        else:
            row.value = {"v": value}
