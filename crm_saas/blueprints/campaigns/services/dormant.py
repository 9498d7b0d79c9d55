"""The ready-made 沉睡客户 segment: customers nobody has followed up or opened a deal with for N days.

A customer is dormant when all of these hold, with ``cutoff`` = now - N days:
it was entered before the cutoff (a customer entered last week is new, not
asleep); no follow-up since (``last_follow_up_at``, which the activities
keep, and no follow-up row either, for rows written around that keeper:
imports, edits of an old follow-up's time); and no deal created or changed
since. Only customers the viewer sees: the segment is their list.
"""
from datetime import timedelta

from sqlalchemy import and_, exists, or_

from crm_saas.blueprints.activities.models import Activity
from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.customers.services import visible_customers
from crm_saas.blueprints.pipeline.models import Deal
from crm_saas.core.base import utcnow


def dormant_condition(days, now=None):
    """The condition on ``Customer``: asleep for ``days`` days at ``now``."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    followed_up = exists().where(Activity.customer_id == Customer.id, Activity.occurred_at >= cutoff)
    dealt = exists().where(Deal.customer_id == Customer.id, Deal.deleted_at.is_(None),
                           or_(Deal.created_at >= cutoff, Deal.updated_at >= cutoff))
    return and_(Customer.created_at < cutoff,
                or_(Customer.last_follow_up_at.is_(None), Customer.last_follow_up_at < cutoff),
                ~followed_up, ~dealt)


def dormant_customers(user, days):
    """The customers ``user`` sees that are asleep: a base the customer search narrows further."""
    return visible_customers(user).where(dormant_condition(days))
