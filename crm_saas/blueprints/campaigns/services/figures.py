"""What a campaign brought (G1): members and their answers, customers, deals, won amount, ROI.

Totals count every record of the campaign, past the viewer's visibility, on
purpose (package docstring): they are numbers, never names, and marketing
must read its whole return. Four grouped queries serve a page of any number
of campaigns.
"""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from crm_saas.blueprints.campaigns.models import CampaignMember
from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.pipeline.models import Deal, Stage
from crm_saas.extensions import db

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass
class Figures:
    cost: Decimal | None = None
    members: int = 0
    by_status: dict = field(default_factory=dict)
    customers: int = 0
    deals: int = 0
    won_deals: int = 0
    won_amount: Decimal = ZERO

    @property
    def roi(self):
        """Won amount / cost, e.g. 3.50 for 3.5 times the money back; None while nothing was spent."""
        if not self.cost:
            return None
        return (self.won_amount / self.cost).quantize(CENT, ROUND_HALF_UP)

    @property
    def cost_per_customer(self):
        if not self.cost or not self.customers:
            return None
        return (self.cost / self.customers).quantize(CENT, ROUND_HALF_UP)


def figures_for(campaigns):
    """``{campaign id: Figures}`` for each of ``campaigns``."""
    result = {c.id: Figures(cost=c.cost) for c in campaigns}
    ids = list(result)
    if not ids:
        return result
    for campaign_id, status, count in db.session.execute(
            select(CampaignMember.campaign_id, CampaignMember.status, func.count())
            .where(CampaignMember.campaign_id.in_(ids)).group_by(CampaignMember.campaign_id, CampaignMember.status)):
        result[campaign_id].members += count
        result[campaign_id].by_status[status] = count
    for campaign_id, count in db.session.execute(
            select(Customer.campaign_id, func.count())
            .where(Customer.campaign_id.in_(ids), Customer.deleted_at.is_(None)).group_by(Customer.campaign_id)):
        result[campaign_id].customers = count
    won = Stage.kind == "won"
    for campaign_id, count, won_count, won_amount in db.session.execute(
            select(Deal.campaign_id, func.count(), func.count().filter(won), func.sum(Deal.amount).filter(won))
            .join(Stage, Stage.id == Deal.stage_id)
            .where(Deal.campaign_id.in_(ids), Deal.deleted_at.is_(None)).group_by(Deal.campaign_id)):
        figures = result[campaign_id]
        figures.deals, figures.won_deals, figures.won_amount = count, won_count, (won_amount or ZERO).quantize(CENT)
    return result


def figures_of(campaign):
    return figures_for([campaign])[campaign.id]
