"""Tasks (E2): rules, the follow-up's task, the bell's counts, and queueing the email reminder.

A task is seen by its assignee and the people above them (the one
visibility rule, on ``assignee_id``); one on a customer in the recycle bin
is out of sight with it. Every new or moved due time queues the reminder
job for that time; the job itself decides what is due, so a queued job that
finds nothing to send is harmless.
"""
import logging
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from crm_saas.blueprints.activities.models import Task, not_binned
from crm_saas.blueprints.activities.services.checks import as_int, visible_deal_of
from crm_saas.blueprints.activities.services.reminders import schedule
from crm_saas.blueprints.activities.services.times import day_start, local_now, parse_time
from crm_saas.blueprints.customers.services import get_visible_customer
from crm_saas.blueprints.customers.services.shares import read_only_refusal
from crm_saas.core.base import utcnow
from crm_saas.core.errors import FieldErrors
from crm_saas.core.staff import get_assignable
from crm_saas.core.validators import holds_resident_id, resident_id_message
from crm_saas.core.visibility import visible
from crm_saas.extensions import db

log = logging.getLogger(__name__)

TITLE_MAX = 200
FIELDS = ("title", "due_at", "customer_id", "deal_id", "assignee_id", "done")


class TaskError(FieldErrors):
    """Refused task: field name -> messages."""


def visible_tasks(user):
    return visible(select(Task).where(not_binned()), Task.assignee_id, user)


def get_visible_task(user, task_id):
    return db.session.scalar(visible_tasks(user).where(Task.id == task_id))


def task_errors(data, *, user, task=None):
    """``(values, errors)`` for a new task (``task`` None) or a change to ``task`` (only the fields sent)."""
    errors, values = {}, {}
    present = set(FIELDS) if task is None else set(data) & set(FIELDS)
    if "title" in present:
        title = data.get("title")
        title = title.strip() if isinstance(title, str) else ""
        if not title:
            errors["title"] = [_("Title is required: what is to be done?")]
        elif len(title) > TITLE_MAX:
            errors["title"] = [_("At most %(max)d characters.", max=TITLE_MAX)]
        elif holds_resident_id(title):
            errors["title"] = [resident_id_message(_l("Task"))]
        values["title"] = title
    if "due_at" in present:
        due = parse_time(data.get("due_at"))
        if due is None:
            errors["due_at"] = [_("Enter when it is due (for example 2026-12-01 14:30).")]
        values["due_at"] = due
    customer = task.customer if task is not None else None
    if "customer_id" in present:
        raw = data.get("customer_id")
        customer = None
        if raw not in (None, ""):
            customer = get_visible_customer(user, as_int(raw)) if as_int(raw) else None
            if customer is None:
                errors["customer_id"] = [_("Choose a customer you can see.")]
            elif read_only_refusal(user, customer):
                errors["customer_id"] = [read_only_refusal(user, customer)]
        values["customer_id"] = customer.id if customer else None
    if "deal_id" in present or (task is not None and "customer_id" in values and task.deal_id):
        deal = visible_deal_of(data.get("deal_id", getattr(task, "deal_id", None)), customer, user, errors)
        values["deal_id"] = deal.id if deal else None
        if deal is not None and customer is None:  # a deal alone names its customer
            values["customer_id"] = deal.customer_id
    if "assignee_id" in present:
        values["assignee_id"] = _assignee(data.get("assignee_id"), user, errors)
    if "done" in present:
        done = data.get("done", False) if task is not None else data.get("done") or False
        if not isinstance(done, bool):
            errors["done"] = [_("Send true or false.")]
        values["done"] = done is True
    return values, errors


def _assignee(raw, user, errors):
    """Oneself, or an active person one manages (the same people one may hand a customer to)."""
    if raw in (None, ""):
        return user.id
    assignee_id = as_int(raw)
    found = get_assignable(user, assignee_id)
    if found is None:
        errors["assignee_id"] = [_("Choose yourself or someone you manage.")]
        return None
    return found.id


def create_task(data, *, actor):
    values, errors = task_errors(data, user=actor)
    if errors:
        raise TaskError(errors)
    task = Task(created_by_id=actor.id, **values)
    if task.done:
        task.done_at = utcnow()
    db.session.add(task)
    db.session.commit()
    schedule_reminder(task)
    return task


def update_task(task, changes, *, actor):
    values, errors = task_errors(changes, user=actor, task=task)
    if errors:
        raise TaskError(errors)
    moved = "due_at" in values and values["due_at"] != task.due_at
    if "done" in values and values["done"] != task.done:
        task.done_at = utcnow() if values["done"] else None
    for field, value in values.items():
        setattr(task, field, value)
    if moved:
        task.reminded_at = None  # the new time gets its own reminder
    db.session.commit()
    if moved:
        schedule_reminder(task)
    return task


def follow_up_title(activity, customer):
    title = activity.next_action or _("Follow up with %(name)s", name=customer.name)
    return title[:TITLE_MAX]


def sync_follow_up_task(activity, customer, *, actor, next_changed, retitle=False):
    """Keep the follow-up's open task in step with its next time; returns the task made or moved, else None.

    A new next time makes a task for the customer's owner; a changed one
    moves the open task (a done one stays done, and a new one is made); a
    cleared one removes the open task. No flush of its own: it goes with the
    follow-up's commit.
    """
    task = db.session.scalar(select(Task).where(Task.activity_id == activity.id, Task.done.is_(False)))
    if task is not None and task.customer_id != customer.id:
        task.customer_id, task.assignee_id = customer.id, customer.owner_id
    if task is not None:
        task.deal_id = activity.deal_id
        if retitle:
            task.title = follow_up_title(activity, customer)
    if not next_changed:
        return None
    if activity.next_follow_up_at is None:
        if task is not None:
            db.session.delete(task)
        return None
    if task is None:
        task = Task(activity_id=activity.id, customer_id=customer.id, deal_id=activity.deal_id,
                    assignee_id=customer.owner_id, created_by_id=actor.id, title=follow_up_title(activity, customer))
        db.session.add(task)
    task.due_at, task.reminded_at = activity.next_follow_up_at, None
    return task


def bell_counts(user):
    """``(due, overdue)``: the person's own open tasks due by the end of today, and those already late."""
    now = utcnow()
    end_of_today = day_start(local_now().date() + timedelta(days=1))
    due, overdue = db.session.execute(
        select(func.count(), func.count().filter(Task.due_at < now))
        .where(Task.assignee_id == user.id, Task.done.is_(False), Task.due_at < end_of_today, not_binned())
    ).one()
    return due, overdue


def schedule_reminder(task):
    """Queue the reminder job for the task's due time; Redis being away loses nothing (cron runs it too)."""
    if task is None or task.done:
        return

    try:
        schedule(task.due_at)
    except Exception:  # noqa: BLE001 - a reminder is never worth refusing the save over
        log.warning("could not queue the reminder for task %s", task.id, exc_info=True)
