"""Campaigns for a picker: the customer and deal forms, imports and bulk actions ask which campaign a record came from.

Every campaign of the company is offered (campaigns are company marketing
objects, not owned records), except cancelled ones: a cancelled campaign
brought nobody.
"""
from sqlalchemy import select

from crm_saas.blueprints.campaigns.models import Campaign
from crm_saas.extensions import db


def campaign_choices():
    """``[(id, name), ...]`` of the campaigns not cancelled, newest first."""
    rows = db.session.execute(
        select(Campaign.id, Campaign.name).where(Campaign.status != "cancelled")
        .order_by(Campaign.created_at.desc(), Campaign.id.desc()))
    return [(row.id, row.name) for row in rows]


def campaign_exists(campaign_id):
    """Whether ``campaign_id`` names a campaign of this company (any status: a record may keep an old campaign)."""
    if not isinstance(campaign_id, int) or isinstance(campaign_id, bool):
        return False
    return db.session.scalar(select(Campaign.id).where(Campaign.id == campaign_id)) is not None
