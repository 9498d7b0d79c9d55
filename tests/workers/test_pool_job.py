"""The lead pools' scheduled job (C11): each rule takes customers back on its day, with a frozen clock; owners
are warned first; exempt customers stay; a follow-up saved while the job runs keeps the customer."""
import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select, text

from crm_saas.core.base import utcnow
from tests.blueprints.pools.helpers import changes, configure_pool, days, run_job, set_customer, state
from tests.conftest import STAFF_PASSWORD, login

# The past, so the company (provisioned today) is open all along and no trial runs out under the frozen clock.
T0 = (utcnow() - timedelta(days=120)).replace(microsecond=0)


@pytest.fixture
def rep(tenant, factory):
    return factory.user(tenant, "rep", superior_id=factory.admin_id(tenant))


def customer_at(factory, tenant, owner_id, when, name, type_="potential"):
    with time_machine.travel(when, tick=False):
        customer_id = factory.customer(tenant, owner_id, name=name)
    if type_ != "potential":
        set_customer(factory, tenant, customer_id, type=type_)
    return customer_id


def job_at(factory, tenant, when):
    with time_machine.travel(when, tick=False):
        return run_job(factory, tenant)


def follow_up_at(factory, tenant, customer_id, owner_id, when):
    from crm_saas.blueprints.activities.services import record_activity
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    def record():
        record_activity({"customer_id": customer_id, "type": "call", "occurred_at": when.isoformat(),
                         "summary": "回访"}, actor=db.session.get(User, owner_id))

    with time_machine.travel(when, tick=False):
        factory._run(tenant, record)


def test_no_follow_up_for_n_days_sends_the_customer_back_on_day_n(tenant, factory, rep):
    configure_pool(factory, tenant, rules={"no_follow_up_days": 30})
    customer = customer_at(factory, tenant, rep, T0, "久未跟进公司")
    assert job_at(factory, tenant, T0 + days(29))["recycled"] == 0
    assert state(factory, tenant, customer)["owner_id"] == rep
    assert job_at(factory, tenant, T0 + days(30) + timedelta(minutes=1))["recycled"] == 1
    moved = state(factory, tenant, customer)
    assert (moved["owner_id"], moved["previous_owner_id"], moved["rule"]) == (None, rep, "no_follow_up")
    assert moved["pool_id"] is not None and "30" in moved["reason"]  # in the company's language
    action, field, old, new, reason = changes(factory, tenant, customer)[-1]
    assert (action, field, old, reason) == ("pooled", "owner_id", "Rep", moved["reason"])
    assert job_at(factory, tenant, T0 + days(31))["recycled"] == 0  # a second run finds nothing left


def test_a_follow_up_restarts_the_clock(tenant, factory, rep):
    configure_pool(factory, tenant, rules={"no_follow_up_days": 30})
    customer = customer_at(factory, tenant, rep, T0, "跟进过的公司")
    follow_up_at(factory, tenant, customer, rep, T0 + days(20))
    assert state(factory, tenant, customer)["last_follow_up_at"] == T0 + days(20)
    assert job_at(factory, tenant, T0 + days(49))["recycled"] == 0
    assert job_at(factory, tenant, T0 + days(51))["recycled"] == 1
    assert state(factory, tenant, customer)["rule"] == "no_follow_up"


def test_no_new_deal_for_m_days(tenant, factory, rep):
    configure_pool(factory, tenant, rules={"no_deal_days": 20, "exempt_open_deal": False})
    customer = customer_at(factory, tenant, rep, T0, "无新商机公司")
    with time_machine.travel(T0 + days(5), tick=False):
        factory.deal(tenant, customer, rep)
    assert job_at(factory, tenant, T0 + days(24))["recycled"] == 0
    assert job_at(factory, tenant, T0 + days(26))["recycled"] == 1
    assert state(factory, tenant, customer)["rule"] == "no_deal"


def test_no_won_deal_for_k_days(tenant, factory, rep):
    configure_pool(factory, tenant, rules={"no_win_days": 40})
    customer = customer_at(factory, tenant, rep, T0, "无成交公司")
    stages = [kind for _sid, kind in factory.stages(tenant)]
    with time_machine.travel(T0 + days(10), tick=False):
        factory.deal(tenant, customer, rep, stage_index=stages.index("won"))
    assert job_at(factory, tenant, T0 + days(49))["recycled"] == 0
    assert job_at(factory, tenant, T0 + days(51))["recycled"] == 1
    assert state(factory, tenant, customer)["rule"] == "no_win"


def test_days_differ_by_customer_type(tenant, factory, rep):
    configure_pool(factory, tenant, rules={"no_follow_up_days": 30,
                                           "per_type": {"intent": {"no_follow_up_days": 60}}})
    plain = customer_at(factory, tenant, rep, T0, "普通潜在客户")
    keen = customer_at(factory, tenant, rep, T0, "意向客户公司", type_="intent")
    job_at(factory, tenant, T0 + days(31))
    assert state(factory, tenant, plain)["owner_id"] is None
    assert state(factory, tenant, keen)["owner_id"] == rep
    job_at(factory, tenant, T0 + days(61))
    assert state(factory, tenant, keen)["owner_id"] is None


def test_closed_customers_and_open_deals_stay_when_exempt(tenant, factory, rep):
    configure_pool(factory, tenant, rules={"no_follow_up_days": 30, "exempt_closed": True, "exempt_open_deal": True})
    closed = customer_at(factory, tenant, rep, T0, "成交客户公司", type_="closed")
    busy = customer_at(factory, tenant, rep, T0, "有商机的公司")
    idle = customer_at(factory, tenant, rep, T0, "什么都没有的公司")
    with time_machine.travel(T0 + days(1), tick=False):
        factory.deal(tenant, busy, rep)  # the first stage: open
    job_at(factory, tenant, T0 + days(40))
    assert state(factory, tenant, closed)["owner_id"] == rep
    assert state(factory, tenant, busy)["owner_id"] == rep
    assert state(factory, tenant, idle)["owner_id"] is None

    configure_pool(factory, tenant, rules={"no_follow_up_days": 30, "exempt_closed": False, "exempt_open_deal": False})
    job_at(factory, tenant, T0 + days(41))
    assert state(factory, tenant, closed)["owner_id"] is None and state(factory, tenant, busy)["owner_id"] is None


def test_a_protected_customer_waits_for_its_extension(tenant, factory, rep):
    configure_pool(factory, tenant, rules={"no_follow_up_days": 30})
    customer = customer_at(factory, tenant, rep, T0, "延期保护公司")
    set_customer(factory, tenant, customer, protected_until=T0 + days(45))
    assert job_at(factory, tenant, T0 + days(40))["recycled"] == 0
    assert job_at(factory, tenant, T0 + days(46))["recycled"] == 1


def test_the_owner_is_warned_with_a_task_and_the_bell_once(tenant, factory, client_for, rep):
    from crm_saas.blueprints.activities.models import Task
    from crm_saas.extensions import db

    configure_pool(factory, tenant, rules={"no_follow_up_days": 30, "warn_days": 3})
    customer = customer_at(factory, tenant, rep, T0, "快回公海的公司")
    assert job_at(factory, tenant, T0 + days(26))["warned"] == 0  # four days before: not yet
    with time_machine.travel(T0 + days(27) + timedelta(hours=1), tick=False):
        assert run_job(factory, tenant) == {"warned": 1, "recycled": 0}
        client = client_for(tenant)
        assert login(client, "rep", STAFF_PASSWORD).status_code == 302
        bell = client.get("/tasks/bell").text
        assert 'data-due="1"' in bell
        agenda = client.get("/agenda").text
        run_out = (T0 + days(30)).astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()  # the company's day
        assert "快回公海的公司" in agenda and run_out in agenda
    tasks = factory._run(tenant, lambda: db.session.execute(
        select(Task.assignee_id, Task.customer_id, Task.done).where(Task.customer_id == customer)).all())
    assert [tuple(t) for t in tasks] == [(rep, customer, False)]
    assert job_at(factory, tenant, T0 + days(28))["warned"] == 0  # once per run-out
    job_at(factory, tenant, T0 + days(31))
    done = factory._run(tenant, lambda: db.session.scalar(select(Task.done).where(Task.customer_id == customer)))
    assert done is True  # nothing left to do on a customer nobody owns


def test_a_follow_up_saved_while_the_job_runs_keeps_the_customer(app, tenant, factory, rep):
    """The owner's follow-up holds the row when the job's UPDATE reaches it; the job waits, then judges the row
    as it now stands (PostgreSQL re-checks the WHERE on the newest version) and leaves it."""
    from crm_saas.extensions import db
    from crm_saas.tenants.binding import tenant_context

    configure_pool(factory, tenant, rules={"no_follow_up_days": 30})
    kept = customer_at(factory, tenant, rep, T0, "正在打电话的公司")
    gone = customer_at(factory, tenant, rep, T0, "没人管的公司")
    schema = tenant.schema_name
    holding, result = threading.Event(), {}

    with app.app_context(), db.engine.connect() as owner:
        owner.execute(text(f'UPDATE "{schema}".customers SET last_follow_up_at = now() WHERE id = :id'),
                      {"id": kept})  # the follow-up, saved but not yet committed: the row is locked

        def job():
            with app.app_context(), tenant_context(schema):
                holding.set()
                from crm_saas.blueprints.pools.services.recycling import run_pools

                result["totals"] = run_pools()

        worker = threading.Thread(target=job)
        worker.start()
        holding.wait(5)
        worker.join(1.5)
        assert worker.is_alive(), "the job should wait for the owner's row"
        owner.commit()
        worker.join(10)
    assert result["totals"]["recycled"] == 1
    assert state(factory, tenant, kept)["owner_id"] == rep
    assert state(factory, tenant, gone)["owner_id"] is None


def test_a_follow_up_dated_after_the_job_started_is_never_taken(tenant, factory, rep):
    from crm_saas.blueprints.customers.models import Customer
    from crm_saas.blueprints.pools.services import default_pool
    from crm_saas.blueprints.pools.services.recycling import governed, recycle_pool
    from crm_saas.extensions import db

    configure_pool(factory, tenant, rules={"no_follow_up_days": 30})
    customer = customer_at(factory, tenant, rep, T0, "刚刚跟进的公司")
    started = T0 + days(40)

    def run():
        pool = default_pool()
        db.session.get(Customer, customer).last_follow_up_at = started + timedelta(seconds=1)
        db.session.flush()
        (_pool, rules, owners), = [g for g in governed() if g[0].id == pool.id]
        # Judged at a "now" that would find it due even counting the follow-up: the start time still guards it.
        return recycle_pool(pool, rules, owners, now=started + days(40), started=started)

    assert factory._run(tenant, run) == []


def test_the_scheduled_job_runs_every_open_company(app, make_tenant, factory):
    from crm_saas.workers.context import set_app
    from crm_saas.workers.pools import recycle_pools

    first, second = make_tenant("pa"), make_tenant("pb")
    for company in (first, second):
        configure_pool(factory, company, rules={"no_follow_up_days": 30})
        customer_at(factory, company, factory.admin_id(company), utcnow() - days(31), "老客户")
    set_app(app)
    done = recycle_pools()
    assert done[first.slug] == {"warned": 0, "recycled": 1} and done[second.slug] == {"warned": 0, "recycled": 1}
    assert first.slug not in recycle_pools()


def test_each_persons_pool_governs_their_customers(tenant, factory, rep):
    from tests.blueprints.pools.helpers import make_pool

    other = factory.user(tenant, "other", superior_id=factory.admin_id(tenant))
    team_pool = make_pool(factory, tenant, "华东公海", members=[(rep, False)], rules={"no_follow_up_days": 10})
    configure_pool(factory, tenant, rules={"no_follow_up_days": 30})
    mine = customer_at(factory, tenant, rep, T0, "华东客户")
    theirs = customer_at(factory, tenant, other, T0, "别处客户")
    job_at(factory, tenant, T0 + days(11))
    assert state(factory, tenant, mine)["pool_id"] == team_pool
    assert state(factory, tenant, theirs)["owner_id"] == other
