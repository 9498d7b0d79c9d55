"""The agenda (E2): a week of tasks and appointments (预约), one's own or one's team's, by company day.

An appointment is a visit or meeting that was booked ahead: written down
before the time it names. Next follow-up times are on the agenda as the
tasks they made.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.activities.models import Activity, Task, not_binned
from crm_saas.blueprints.activities.services import APPOINTMENT_TYPES, visible_activities
from crm_saas.blueprints.activities.services.tasks import visible_tasks
from crm_saas.blueprints.activities.services.times import company_tz, day_start, local_now, week_name, week_start
from crm_saas.blueprints.customers.models import Customer
from crm_saas.core.permissions import can
from crm_saas.core.users import User
from crm_saas.extensions import db


@dataclass
class Day:
    date: date
    tasks: list = field(default_factory=list)
    appointments: list = field(default_factory=list)


@dataclass
class Week:
    monday: date
    days: list
    overdue: list
    team: bool

    @property
    def name(self):
        return week_name(self.monday)

    @property
    def previous(self):
        return week_name(self.monday - timedelta(days=7))

    @property
    def next(self):
        return week_name(self.monday + timedelta(days=7))

    @property
    def is_current(self):
        return self.monday == week_start(local_now().date())


def leads_a_team(user):
    """Whether the team view means more than one's own: admins, "see all", or anyone with people below."""
    if can(user, "see_all"):
        return True
    return bool(db.session.scalar(select(exists().where(User.superior_id == user.id, User.active.is_(True)))))


def week_agenda(user, monday, *, team=False):
    start, end = day_start(monday), day_start(monday + timedelta(days=7))
    tasks = visible_tasks(user) if team else select(Task).where(Task.assignee_id == user.id, not_binned())
    tasks = tasks.options(selectinload(Task.customer), selectinload(Task.assignee))
    in_week = db.session.scalars(tasks.where(Task.due_at >= start, Task.due_at < end).order_by(Task.due_at, Task.id))
    overdue = []
    if monday == week_start(local_now().date()):  # this week also lists what is still open from before
        overdue = db.session.scalars(
            tasks.where(Task.done.is_(False), Task.due_at < start).order_by(Task.due_at, Task.id)).all()
    days = [Day(monday + timedelta(days=i)) for i in range(7)]
    tz = company_tz()
    for task in in_week:
        days[(task.due_at.astimezone(tz).date() - monday).days].tasks.append(task)
    for activity in _appointments(user, start, end, team):
        days[(activity.occurred_at.astimezone(tz).date() - monday).days].appointments.append(activity)
    return Week(monday, days, overdue, team)


def _appointments(user, start, end, team):
    stmt = visible_activities(user).where(
        Activity.type.in_(APPOINTMENT_TYPES), Activity.occurred_at >= start, Activity.occurred_at < end,
        Activity.occurred_at > Activity.created_at,
    )
    if not team:
        stmt = stmt.where(or_(Activity.created_by_id == user.id, Customer.owner_id == user.id))
    return db.session.scalars(
        stmt.options(selectinload(Activity.customer), selectinload(Activity.created_by)).order_by(Activity.occurred_at)
    ).all()
