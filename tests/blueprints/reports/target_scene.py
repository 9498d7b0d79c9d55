"""Scenes for the targets, lifecycle and weekly-summary tests: a small company tree, records dated in a known
month (China time), targets set straight in the table, and the reports' services run as a given person.

The tree: admin > boss (supervisor) > rep_a, rep_b; admin > boss2 (supervisor) > rep_c.
"""
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTH = date(2026, 3, 1)  # the scenes' month: March 2026


def at(day, hour=10):
    """A moment on ``day`` in China time (stored as an aware datetime)."""
    return datetime.combine(day, time(hour), SHANGHAI)


def company(factory, tenant):
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin, name="Boss")
    boss2 = factory.user(tenant, "boss2", role="supervisor", superior_id=admin, name="Boss Two")
    return {"admin": admin, "boss": boss, "boss2": boss2,
            "rep_a": factory.user(tenant, "rep_a", superior_id=boss, name="Rep A"),
            "rep_b": factory.user(tenant, "rep_b", superior_id=boss, name="Rep B"),
            "rep_c": factory.user(tenant, "rep_c", superior_id=boss2, name="Rep C")}


def target(factory, tenant, metric, value, user_id=None, team_id=None, period="2026-03"):
    from crm_saas.blueprints.reports.models import Target
    from crm_saas.extensions import db

    def make():
        row = Target(period=period, metric=metric, value=Decimal(str(value)), user_id=user_id, team_id=team_id)
        db.session.add(row)
        db.session.commit()
        return row.id

    return factory._run(tenant, make)


def customer(factory, tenant, owner_id, name, created=None, phone=None):
    """A customer of ``owner_id``, created on ``created`` (a day of the scenes' month by default: the 5th)."""
    from tests.blueprints.pools.helpers import set_customer

    customer_id = factory.customer(tenant, owner_id, name=name, phone=phone or f"139{abs(hash(name)) % 10**8:08d}")
    set_customer(factory, tenant, customer_id, created_at=at(created or MONTH.replace(day=5)))
    return customer_id


def deal(factory, tenant, customer_id, owner_id, amount, stage="won", on=None, **values):
    """A deal in the default pipeline's ``stage`` (won, lost, or an open stage's index), moved there on ``on``."""
    stages = factory.stages(tenant)
    index = {"won": next(i for i, (_id, kind) in enumerate(stages) if kind == "won"),
             "lost": next(i for i, (_id, kind) in enumerate(stages) if kind == "lost")}.get(stage, stage)
    deal_id = factory.deal(tenant, customer_id, owner_id, amount=str(amount), stage_index=index)
    factory.set_deal(tenant, deal_id, stage_changed_at=at(on or MONTH.replace(day=10)), **values)
    return deal_id


def follow_up(factory, tenant, customer_id, author_id, on=None):
    from crm_saas.blueprints.activities.models import Activity
    from crm_saas.extensions import db

    def make():
        row = Activity(customer_id=customer_id, type="call", occurred_at=at(on or MONTH.replace(day=12)),
                       summary="回访", created_by_id=author_id)
        db.session.add(row)
        db.session.commit()
        return row.id

    return factory._run(tenant, make)


def as_user(factory, tenant, user_id, fn):
    """``fn(user)`` in the tenant, as ``user_id`` (English messages)."""
    from flask_babel import force_locale

    from crm_saas.core.users import User
    from crm_saas.extensions import db

    def run():
        with force_locale("en"):
            return fn(db.session.get(User, user_id))

    return factory._run(tenant, run)


def scope_of(user, first=MONTH, range_="month", **filters):
    """The scope of ``range_`` holding ``first`` for ``user``, with owner/team/region filters."""
    from crm_saas.blueprints.reports.services.scope import read_scope

    return read_scope(user, {"range": range_, "from": first.isoformat(), **filters})


def count_rows(statement):
    """How many records a measure's statement lists (what the page behind a figure would show)."""
    from sqlalchemy import func, select

    from crm_saas.extensions import db

    return db.session.scalar(select(func.count()).select_from(statement.subquery()))


def figures(progress):
    """``{metric: (target, actual, percent)}`` of ``target_progress``'s answer."""
    return {item["metric"]: (item["target"], item["actual"], item["percent"]) for item in progress}
