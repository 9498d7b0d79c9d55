"""Setting scenes for the dashboard's tests: records placed at chosen times (China time), and reading the page.

``scene`` builds one company whose every figure is known (the numbers are in
its docstring); the tests compare the cards, the charts and the lists behind
them with those numbers.
"""
import re
from datetime import datetime, timedelta
from html import unescape
from itertools import count
from zoneinfo import ZoneInfo

from tests.blueprints.pools.helpers import configure_pool

SH = ZoneInfo("Asia/Shanghai")
_phones = count(1)


def at(year, month, day, hour=12, minute=0):
    """A moment in China time."""
    return datetime(year, month, day, hour, minute, tzinfo=SH)


def update(factory, tenant, model, record_id, **values):
    from crm_saas.extensions import db

    def run():
        record = db.session.get(model, record_id)
        for key, value in values.items():
            setattr(record, key, value)
        db.session.commit()

    factory._run(tenant, run)


def customer(factory, tenant, owner, name, created=None, **values):
    from crm_saas.blueprints.customers.models import Customer

    customer_id = factory.customer(tenant, owner, name=name, phone=f"139{next(_phones):08d}")
    if created is not None:
        values["created_at"] = created
    if values:
        update(factory, tenant, Customer, customer_id, **values)
    return customer_id


def deal(factory, tenant, customer_id, owner, name, amount, created):
    """A deal made at ``created`` (its first stage entered then, as the stage history says)."""
    from sqlalchemy import update as sql_update

    from crm_saas.blueprints.pipeline.models import Deal, DealStageChange
    from crm_saas.extensions import db

    deal_id = factory.deal(tenant, customer_id, owner, name=name, amount=amount)

    def run():
        db.session.execute(sql_update(Deal).where(Deal.id == deal_id).values(created_at=created,
                                                                             stage_changed_at=created))
        db.session.execute(sql_update(DealStageChange).where(DealStageChange.deal_id == deal_id)
                           .values(moved_at=created))
        db.session.commit()

    factory._run(tenant, run)
    return deal_id


def move(factory, tenant, deal_id, kind_or_index, when, lost_reason=None):
    """The deal moved to a stage (an index of the default pipeline, or "won"/"lost") at ``when``."""
    from crm_saas.blueprints.pipeline.models import Deal, DealStageChange
    from crm_saas.blueprints.pipeline.services import default_pipeline
    from crm_saas.extensions import db

    def run():
        stages = default_pipeline().stages
        stage = (stages[kind_or_index] if isinstance(kind_or_index, int)
                 else next(s for s in stages if s.kind == kind_or_index))
        record = db.session.get(Deal, deal_id)
        db.session.add(DealStageChange(deal_id=deal_id, from_stage_id=record.stage_id, to_stage_id=stage.id,
                                       moved_at=when, lost_reason=lost_reason))
        record.stage_id, record.stage_changed_at, record.lost_reason = stage.id, when, lost_reason
        db.session.commit()

    factory._run(tenant, run)


def follow_up(factory, tenant, customer_id, author, when, kind="call"):
    from crm_saas.blueprints.activities.models import Activity
    from crm_saas.extensions import db

    def run():
        activity = Activity(customer_id=customer_id, type=kind, occurred_at=when, summary="跟进", created_by_id=author)
        db.session.add(activity)
        db.session.commit()
        return activity.id

    return factory._run(tenant, run)


def task(factory, tenant, assignee, due, done=False, title="回访"):
    from crm_saas.blueprints.activities.models import Task
    from crm_saas.extensions import db

    def run():
        record = Task(title=title, due_at=due, assignee_id=assignee, done=done, created_by_id=assignee)
        db.session.add(record)
        db.session.commit()
        return record.id

    return factory._run(tenant, run)


def org(factory, tenant):
    """admin > boss (supervisor) > lead (supervisor) > rep1; boss > rep2; admin > other (a rep)."""
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    lead = factory.user(tenant, "lead", role="supervisor", superior_id=boss)
    rep1 = factory.user(tenant, "rep1", superior_id=lead)
    rep2 = factory.user(tenant, "rep2", superior_id=boss)
    other = factory.user(tenant, "other", superior_id=admin)
    return {"admin": admin, "boss": boss, "lead": lead, "rep1": rep1, "rep2": rep2, "other": other}


def scene(factory, tenant):
    """March 2026 against February, in China time. The figures (current / previous):

    ========================  ===========  ===========  =============
    card                      rep1         boss         admin
    ========================  ===========  ===========  =============
    new customers             2 / 1        3 / 2        5 / 2
    new deals                 2 / 1        3 / 2        4 / 2
    deals won                 2 / 1        4 / 1        5 / 1
    won amount                1800.50/300  4200.50/300  9200.50/300
    follow-ups                2 / 1        3 / 1        4 / 1
    overdue tasks (now)       1            2            3
    about to return (now)     1            2            3
    ========================  ===========  ===========  =============

    Boundaries: c6 made at 00:30 on 1 March in Shanghai (28 Feb UTC) is March's, c5 at 23:30 on 28 February is
    February's, c8 at 00:10 on 1 April is April's; d6 won at 00:30 on 1 March is March's.
    """
    from crm_saas.core.base import utcnow

    p = org(factory, tenant)
    c = {
        "c1": customer(factory, tenant, p["rep1"], "一号客户", at(2026, 3, 5), source="referral"),
        "c2": customer(factory, tenant, p["rep1"], "二号客户", at(2026, 3, 20), source="exhibition"),
        "c3": customer(factory, tenant, p["rep1"], "三号客户", at(2026, 2, 10), source="referral"),
        "c4": customer(factory, tenant, p["rep2"], "四号客户", at(2026, 3, 3), source="exhibition"),
        "c5": customer(factory, tenant, p["lead"], "五号客户", at(2026, 2, 28, 23, 30), source="outbound"),
        "c6": customer(factory, tenant, p["other"], "六号客户", at(2026, 3, 1, 0, 30), source="online_inquiry"),
        "c7": customer(factory, tenant, p["other"], "七号客户", at(2026, 3, 31, 23, 59), source="exhibition"),
        "c8": customer(factory, tenant, p["other"], "八号客户", at(2026, 4, 1, 0, 10), source="exhibition"),
        "binned": customer(factory, tenant, p["rep1"], "回收站客户", at(2026, 3, 10), deleted_at=at(2026, 3, 11)),
    }
    d = {
        "d1": deal(factory, tenant, c["c1"], p["rep1"], "一号商机", "1000.50", at(2026, 3, 6)),
        "d2": deal(factory, tenant, c["c3"], p["rep1"], "二号商机", "300", at(2026, 2, 11)),
        "d3": deal(factory, tenant, c["c4"], p["rep2"], "三号商机", "2000", at(2026, 3, 4)),
        "d4": deal(factory, tenant, c["c6"], p["other"], "四号商机", "5000", at(2026, 3, 2)),
        "d5": deal(factory, tenant, c["c1"], p["rep1"], "五号商机", "700", at(2026, 3, 8)),
        "d6": deal(factory, tenant, c["c5"], p["lead"], "六号商机", "400", at(2026, 2, 1)),
        "d7": deal(factory, tenant, c["c2"], p["rep1"], "七号商机", "800", at(2026, 1, 5)),
    }
    move(factory, tenant, d["d1"], "won", at(2026, 3, 15))
    move(factory, tenant, d["d2"], "won", at(2026, 2, 20))
    move(factory, tenant, d["d3"], "won", at(2026, 3, 25))
    move(factory, tenant, d["d4"], "won", at(2026, 3, 10))
    move(factory, tenant, d["d5"], 1, at(2026, 3, 9))
    move(factory, tenant, d["d5"], "lost", at(2026, 3, 12), lost_reason="预算不足")
    move(factory, tenant, d["d6"], "won", at(2026, 3, 1, 0, 30))
    move(factory, tenant, d["d7"], "won", at(2026, 3, 31, 23, 0))
    for customer_id, author, when in ((c["c1"], p["rep1"], at(2026, 3, 7)), (c["c2"], p["rep1"], at(2026, 3, 21)),
                                      (c["c3"], p["rep1"], at(2026, 2, 12)), (c["c6"], p["other"], at(2026, 3, 2)),
                                      (c["c4"], p["rep2"], at(2026, 3, 4))):
        follow_up(factory, tenant, customer_id, author, when)
    now = utcnow()
    for assignee, due, done in ((p["rep1"], now - timedelta(days=2), False), (p["rep1"], now + timedelta(days=2), False),
                                (p["rep1"], now - timedelta(days=1), True), (p["other"], now - timedelta(days=3), False),
                                (p["rep2"], now - timedelta(hours=1), False)):
        task(factory, tenant, assignee, due, done)
    configure_pool(factory, tenant, rules={"no_follow_up_days": 30, "warn_days": 3})
    r = {
        "r1": customer(factory, tenant, p["rep1"], "将回公海一", owned_at=now - timedelta(days=28)),
        "r2": customer(factory, tenant, p["rep1"], "还早客户", owned_at=now - timedelta(days=20)),
        "r3": customer(factory, tenant, p["rep2"], "将回公海三", owned_at=now - timedelta(days=40)),
        "r4": customer(factory, tenant, p["rep1"], "成交免回", owned_at=now - timedelta(days=29), type="closed"),
        "r5": customer(factory, tenant, p["other"], "将回公海五", owned_at=now - timedelta(days=29)),
    }
    return {"people": p, "customers": c, "deals": d, "returning": r}


MARCH = {"range": "month", "from": "2026-03-01"}

# card: (value, previous) per viewer of the scene (money as text)
EXPECTED = {
    "rep1": {"new_customers": (2, 1), "new_deals": (2, 1), "won_deals": (2, 1), "won_amount": ("1800.50", "300.00"),
             "revenue_month": ("1800.50", "300.00"), "follow_ups": (2, 1), "overdue_tasks": (1, None),
             "returning_customers": (1, None)},
    "boss": {"new_customers": (3, 2), "new_deals": (3, 2), "won_deals": (4, 1), "won_amount": ("4200.50", "300.00"),
             "revenue_month": ("4200.50", "300.00"), "follow_ups": (3, 1), "overdue_tasks": (2, None),
             "returning_customers": (2, None)},
    "admin": {"new_customers": (5, 2), "new_deals": (4, 2), "won_deals": (5, 1), "won_amount": ("9200.50", "300.00"),
              "revenue_month": ("9200.50", "300.00"), "follow_ups": (4, 1), "overdue_tasks": (3, None),
              "returning_customers": (3, None)},
}

CARD = re.compile(r'data-card="(\w+)".*?class="[^"]*card-value" href="([^"]+)"[^>]*data-value="([^"]*)"'
                  r'(?:(?:(?!data-card=).)*?card-previous" href="([^"]+)"\s+data-value="([^"]*)")?', re.S)


def cards(html):
    """``{key: (value, url, previous value, previous url)}`` as the dashboard shows them."""
    return {key: (value, unescape(url), previous or None, unescape(previous_url) if previous_url else None)
            for key, url, value, previous_url, previous in CARD.findall(html)}


def listed(html):
    """``(the total the list states, the ids of its rows)`` of a records page."""
    total = int(re.search(r'data-total="(\d+)"', html).group(1))
    rows = re.findall(r'<tr data-(?:customer|deal|activity|task)-id="(\d+)"', html)
    return total, [int(i) for i in rows]
