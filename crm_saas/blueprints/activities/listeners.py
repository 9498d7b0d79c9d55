"""How follow-ups and tasks react to other features' events (crm_saas.core.signals), and what a new follow-up
announces to integrations (core/outbox.py)."""
from sqlalchemy import func, select, update

from crm_saas.blueprints.activities.models import Activity, Task
from crm_saas.core import outbox, signals
from crm_saas.extensions import db


def connect():
    outbox.watch(Activity, "follow_up", data=lambda a: outbox.plain(a, WEBHOOK_FIELDS),
                 events=lambda activity, change, changed: ["follow_up.created"] if change == "created" else [])
    signals.staff_holdings_counted.connect(_count_open_tasks)
    signals.staff_departed.connect(_hand_over_open_tasks)
    signals.customers_merged.connect(_follow_merge)


WEBHOOK_FIELDS = ("id", "customer_id", "deal_id", "type", "occurred_at", "summary", "next_action", "next_follow_up_at",
                  "created_by_id", "created_at")


def _open_tasks_of(user):
    # B3: open tasks move; done ones keep the person who did them.
    return (Task.assignee_id == user.id, Task.done.is_(False))


def _count_open_tasks(user, **_):
    return {"tasks": db.session.scalar(select(func.count()).select_from(Task).where(*_open_tasks_of(user)))}


def _hand_over_open_tasks(user, *, to, **_):
    return {"tasks": db.session.execute(update(Task).where(*_open_tasks_of(user)).values(assignee_id=to.id)).rowcount}


def _follow_merge(other, *, into, **_):
    """The merged customer's follow-ups and what is still to do come along (not counted in the merge's log)."""
    for model in (Activity, Task):
        db.session.execute(update(model).where(model.customer_id == other.id).values(customer_id=into.id))
