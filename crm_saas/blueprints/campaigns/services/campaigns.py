"""Campaigns (G1): checking and saving their fields, who may change them, the company's list.

Every campaign of the company is listed to everyone holding the module
(see the package docstring); rules live here so the page and the API refuse
the same things with the same field names.
"""
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.campaigns.models import Campaign
from crm_saas.blueprints.campaigns.services.codes import CHANNELS, STATUSES
from crm_saas.core.errors import FieldErrors
from crm_saas.core.permissions import can
from crm_saas.core.queries import LIKE_ESCAPE, contains_pattern
from crm_saas.core.users import User
from crm_saas.extensions import db

NAME_MAX = 200
DESCRIPTION_MAX = 5000
MONEY_MAX = Decimal("999999999999.99")
FIELDS = ("name", "channel", "starts_on", "ends_on", "budget", "cost", "status", "owner_id", "description")
SORTS = {
    "-starts_on": (Campaign.starts_on.desc().nulls_last(), Campaign.id.desc()),
    "starts_on": (Campaign.starts_on.nulls_last(), Campaign.id),
    "-created_at": (Campaign.created_at.desc(), Campaign.id.desc()),
    "name": (Campaign.name, Campaign.id),
}
DEFAULT_SORT = "-created_at"


class CampaignError(FieldErrors):
    """A refused campaign change, naming each bad field."""


def may_edit(user, campaign):
    """Its owner, admins and those who manage the company's settings change a campaign and its members."""
    return campaign.owner_id == user.id or user.role == "admin" or can(user, "manage_settings")


def get_campaign(campaign_id):
    """Any campaign of the company (every holder of the module sees them all), or None."""
    if not isinstance(campaign_id, int) or isinstance(campaign_id, bool):
        return None
    return db.session.get(Campaign, campaign_id)


def campaigns_statement(filters=None):
    """The company's campaigns narrowed by ``q`` (name), ``status``, ``channel``, ``owner_id``."""
    filters = filters or {}
    stmt = select(Campaign).options(selectinload(Campaign.owner))
    q = (filters.get("q") or "").strip()
    if q:
        stmt = stmt.where(Campaign.name.ilike(contains_pattern(q), escape=LIKE_ESCAPE))
    for key in ("status", "channel", "owner_id"):
        if filters.get(key) not in (None, ""):
            stmt = stmt.where(getattr(Campaign, key) == filters[key])
    return stmt


def list_campaigns(filters=None, *, sort=DEFAULT_SORT, page=1, per_page=50):
    """``(campaigns, total)``: one page of the company's campaigns."""
    stmt = campaigns_statement(filters)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.scalars(
        stmt.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT])).limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


def create_campaign(data, *, actor):
    """A new campaign owned by ``owner_id`` (default: ``actor``); raises CampaignError naming every bad field."""
    data = {key: value for key, value in data.items() if key in FIELDS}
    if data.get("status") in (None, ""):
        data["status"] = "planned"
    if data.get("owner_id") in (None, ""):
        data["owner_id"] = actor.id
    values = clean_campaign(data, current=None)
    campaign = Campaign(created_by_id=actor.id, **values)
    db.session.add(campaign)
    db.session.commit()
    return campaign


def update_campaign(campaign, changes, *, actor):
    """Apply any subset of the fields, judged on the campaign as it would become; nothing saved on an error."""
    values = clean_campaign({k: v for k, v in changes.items() if k in FIELDS}, current=campaign)
    for key, value in values.items():
        setattr(campaign, key, value)
    db.session.commit()
    return campaign


def clean_campaign(data, *, current):
    """``data`` checked and converted (only the keys given; all required ones when ``current`` is None)."""
    errors, values = {}, {}
    if current is None or "name" in data:
        name = data.get("name")
        name = name.strip() if isinstance(name, str) else name
        if not name or not isinstance(name, str):
            errors["name"] = [_("Enter the campaign's name.")]
        elif len(name) > NAME_MAX:
            errors["name"] = [_("At most %(max)d characters.", max=NAME_MAX)]
        values["name"] = name
    if current is None or "channel" in data:
        if data.get("channel") not in CHANNELS:
            errors["channel"] = [_("Choose one of: %(codes)s.", codes=", ".join(CHANNELS))]
        values["channel"] = data.get("channel")
    if "status" in data:
        if data.get("status") not in STATUSES:
            errors["status"] = [_("Choose one of: %(codes)s.", codes=", ".join(STATUSES))]
        values["status"] = data.get("status")
    for key in ("starts_on", "ends_on"):
        if key in data:
            values[key] = _date(data[key], key, errors)
    for key in ("budget", "cost"):
        if key in data:
            values[key] = _money(data[key], key, errors)
    if "owner_id" in data:
        if _active_user(data["owner_id"]) is None:
            errors["owner_id"] = [_("Choose an active colleague.")]
        values["owner_id"] = data["owner_id"]
    if "description" in data:
        text = data["description"]
        if text is not None and not isinstance(text, str):
            errors["description"] = [_("Enter text.")]
        elif text and len(text) > DESCRIPTION_MAX:
            errors["description"] = [_("At most %(max)d characters.", max=DESCRIPTION_MAX)]
        values["description"] = (text.strip() or None) if isinstance(text, str) else None
    starts = values.get("starts_on", current.starts_on if current else None)
    ends = values.get("ends_on", current.ends_on if current else None)
    if "starts_on" not in errors and "ends_on" not in errors and starts and ends and starts > ends:
        errors["ends_on"] = [_("The end cannot come before the start.")]
    if errors:
        raise CampaignError(errors)
    return values


def _date(value, field, errors):
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[field] = [_("Enter a date as YYYY-MM-DD.")]
        return None


def _money(value, field, errors):
    if value in (None, ""):
        return None
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        amount = Decimal(str(value).replace(",", "").strip()).quantize(Decimal("0.01"))
        if not Decimal(0) <= amount <= MONEY_MAX:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors[field] = [_("Enter an amount of 0 or more.")]
        return None
    return amount


def _active_user(user_id):
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        return None
    return db.session.scalar(select(User).where(User.id == user_id, User.active.is_(True)))
