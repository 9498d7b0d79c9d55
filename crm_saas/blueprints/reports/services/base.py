"""The records every figure counts, each as one statement over one scope.

A card, a report cell and the list behind it (``drill``) all start here: a
figure is ``count``/``sum`` over one of these statements (grouped as the
report needs), and its list is the same statement's rows. That is what
makes "the list behind a number has exactly that many rows" hold by
construction, not by care.

Whose record it is: a customer's and a deal's owner, a follow-up's author,
a task's assignee. A follow-up must also sit on a customer the viewer sees,
so nobody reads a note about a customer that has moved out of their sight.
"""
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from crm_saas.blueprints.activities.models import Activity, Task, not_binned
from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.pipeline.models import Deal, DealStageChange, Stage
from crm_saas.core.base import utcnow
from crm_saas.core.permissions import can
from crm_saas.core.visibility import visible


def customers(scope):
    """Customers not in the recycle bin, owned by someone in scope, in the region."""
    return scope.in_region(scope.owned(select(Customer).where(Customer.deleted_at.is_(None)), Customer.owner_id),
                           Customer)


def new_customers(scope):
    return customers(scope).where(scope.during(Customer.created_at))


def deals(scope):
    """Deals not in the recycle bin, owned by someone in scope, whose customer is in the region."""
    stmt = select(Deal).join(Customer, Customer.id == Deal.customer_id).where(Deal.deleted_at.is_(None))
    return scope.in_region(scope.owned(stmt, Deal.owner_id), Customer)


def new_deals(scope):
    return deals(scope).where(scope.during(Deal.created_at))


def closed_deals(scope, kind):
    """Deals that reached a ``won`` or ``lost`` stage in the period (and are still there: the stage's time)."""
    return (deals(scope).join(Stage, Stage.id == Deal.stage_id)
            .where(Stage.kind == kind, scope.during(Deal.stage_changed_at)))


def won_deals(scope):
    return closed_deals(scope, "won")


def lost_deals(scope):
    return closed_deals(scope, "lost")


def open_deals(scope):
    return deals(scope).join(Stage, Stage.id == Deal.stage_id).where(Stage.kind == "open")


def entered_stage(scope, stage_id):
    """Deals that entered ``stage_id`` in the period, by the stage history (D5), once each however often."""
    entered = exists().where(DealStageChange.deal_id == Deal.id, DealStageChange.to_stage_id == stage_id,
                             scope.during(DealStageChange.moved_at))
    return deals(scope).where(entered)


def follow_ups(scope):
    """Follow-ups written in the period by someone in scope, on customers the viewer sees, in the region.

    For a viewer who sees every customer, with no region asked, the customer adds nothing but "not in the
    recycle bin": asked as NOT EXISTS over the bin (``ix_customers_deleted``, a few rows), as tasks do,
    rather than as a join that hashed all 100,000 customers for a month's few thousand follow-ups
    (bench/README.md: 43 -> 4 ms of the admin's dashboard).
    """
    if can(scope.user, "see_all") and not (scope.province or scope.city):
        bin_ = aliased(Customer)  # an alias: inside a select of customers (the customers touched) it stays its own
        binned = exists().where(bin_.id == Activity.customer_id, bin_.deleted_at.is_not(None))
        return scope.owned(select(Activity).where(scope.during(Activity.occurred_at), ~binned), Activity.created_by_id)
    stmt = (select(Activity).join(Customer, Customer.id == Activity.customer_id)
            .where(Customer.deleted_at.is_(None), scope.during(Activity.occurred_at)))
    stmt = visible(scope.owned(stmt, Activity.created_by_id), Customer.owner_id, scope.user)
    return scope.in_region(stmt, Customer)


def overdue_tasks(scope, now=None):
    """Open tasks past due now (the period does not apply: overdue is a state, not an event)."""
    stmt = select(Task).where(not_binned(), Task.done.is_(False), Task.due_at < (now or utcnow()))
    return scope.owned(stmt, Task.assignee_id)
