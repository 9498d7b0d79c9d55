"""What the one customer page gathers beside the customer itself (C13)."""
from flask_login import current_user
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.pipeline.models import Deal
from crm_saas.blueprints.pipeline.services import visible_deals
from crm_saas.extensions import db


def customer_deals(customer, user=None):
    """The deals on ``customer`` that the viewer may see (a colleague's deal on it may be hidden)."""
    return db.session.scalars(
        visible_deals(user or current_user).where(Deal.customer_id == customer.id)
        .options(selectinload(Deal.stage), selectinload(Deal.owner)).order_by(Deal.created_at.desc())
    ).all()
