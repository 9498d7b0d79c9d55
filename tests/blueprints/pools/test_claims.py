"""Claiming from a pool (C11): the daily limit, the cap on customers owned, the previous owner's wait, and two reps
claiming the same customer at the same moment (real threads, two sessions: exactly one gets it)."""
import threading
from datetime import timedelta

import pytest
import time_machine
from flask_babel import force_locale

from crm_saas.core.base import utcnow
from tests.blueprints.pools.helpers import configure_pool, pooled, state


@pytest.fixture
def reps(tenant, factory):
    admin = factory.admin_id(tenant)
    return {"admin": admin, "a": factory.user(tenant, "rep_a", superior_id=admin),
            "b": factory.user(tenant, "rep_b", superior_id=admin)}


def claim(factory, tenant, user_id, customer_ids, pool_id):
    """``("ok", ClaimResult)`` or ``("conflict", errors, extra)``, as the service answers."""
    from crm_saas.blueprints.pools.models import Pool
    from crm_saas.blueprints.pools.services import PoolConflict
    from crm_saas.blueprints.pools.services.moves import claim_customers
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    def run():
        with force_locale("en"):  # the messages as an English reader gets them
            try:
                return "ok", claim_customers(db.session.get(Pool, pool_id), customer_ids,
                                             actor=db.session.get(User, user_id))
            except PoolConflict as err:
                return "conflict", err.errors, err.extra

    return factory._run(tenant, run)


def test_the_daily_limit_counts_today_and_lifts_tomorrow(tenant, factory, reps):
    customers = [pooled(factory, tenant, reps["admin"], f"日限公司{i}", phone=f"1360000000{i}") for i in range(3)]
    pid = configure_pool(factory, tenant, claim_per_day=1)
    outcome, result = claim(factory, tenant, reps["a"], customers[:1], pid)
    assert outcome == "ok" and result.claimed == customers[:1]
    outcome, errors, extra = claim(factory, tenant, reps["a"], customers[1:2], pid)
    assert outcome == "conflict" and extra["limit"] == "claim_per_day"
    assert errors["customer_ids"] == ["You have reached this pool's limit of 1 claim a day."]
    with time_machine.travel(utcnow() + timedelta(days=1), tick=False):
        assert claim(factory, tenant, reps["a"], customers[1:2], pid)[1].claimed == customers[1:2]
    assert claim(factory, tenant, reps["b"], customers[2:], pid)[0] == "ok"  # a limit is per person


def test_the_cap_on_customers_owned(tenant, factory, reps):
    factory.customer(tenant, reps["a"], name="已有客户一", phone="13500000001")
    factory.customer(tenant, reps["a"], name="已有客户二", phone="13500000002")
    customers = [pooled(factory, tenant, reps["admin"], f"上限公司{i}", phone=f"1360000001{i}") for i in range(2)]
    pid = configure_pool(factory, tenant, max_owned=3)
    outcome, result = claim(factory, tenant, reps["a"], customers, pid)
    assert outcome == "ok" and result.claimed == customers[:1] and result.limit == "max_owned"
    assert result.refused == {customers[1]: "limit"}
    assert "You own as many customers as this pool allows (3)." in result.message
    outcome, errors, extra = claim(factory, tenant, reps["a"], customers[1:], pid)
    assert outcome == "conflict" and extra["limit"] == "max_owned"


def test_the_previous_owner_waits_before_claiming_it_back(tenant, factory, reps):
    pid = configure_pool(factory, tenant, reclaim_wait_days=7)
    customer = pooled(factory, tenant, reps["a"], "刚放弃的公司")
    outcome, errors, extra = claim(factory, tenant, reps["a"], [customer], pid)
    assert outcome == "conflict" and extra["waiting"] == [customer]
    assert "less than 7 days ago" in errors["customer_ids"][0]
    with time_machine.travel(utcnow() + timedelta(days=8), tick=False):
        assert claim(factory, tenant, reps["a"], [customer], pid)[1].claimed == [customer]


def test_someone_else_may_claim_at_once(tenant, factory, reps):
    pid = configure_pool(factory, tenant, reclaim_wait_days=7)
    customer = pooled(factory, tenant, reps["a"], "别人放弃的公司")
    assert claim(factory, tenant, reps["b"], [customer], pid)[1].claimed == [customer]
    assert state(factory, tenant, customer)["owner_id"] == reps["b"]


def test_two_reps_claiming_one_customer_at_once_exactly_one_gets_it(app, tenant, factory, reps):
    """Real threads, each with its own session and connection, released together by a barrier; repeated."""
    from crm_saas.blueprints.pools.models import Pool
    from crm_saas.blueprints.pools.services import PoolConflict
    from crm_saas.blueprints.pools.services.moves import claim_customers
    from crm_saas.core.users import User
    from crm_saas.extensions import db
    from crm_saas.tenants.binding import tenant_context

    pid = configure_pool(factory, tenant)
    customers = [pooled(factory, tenant, reps["admin"], f"抢手公司{i}", phone=f"1330000000{i}") for i in range(5)]
    for customer in customers:
        barrier, outcomes = threading.Barrier(2), {}

        def attempt(user_id, customer=customer, barrier=barrier, outcomes=outcomes):
            with app.app_context(), tenant_context(tenant.schema_name), force_locale("en"):
                pool, actor = db.session.get(Pool, pid), db.session.get(User, user_id)
                barrier.wait(5)
                try:
                    outcomes[user_id] = claim_customers(pool, [customer], actor=actor).claimed
                except PoolConflict as err:
                    outcomes[user_id] = err.errors["customer_ids"][0]

        threads = [threading.Thread(target=attempt, args=(reps[who],)) for who in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        won = [user for user, outcome in outcomes.items() if outcome == [customer]]
        lost = [outcome for outcome in outcomes.values() if outcome != [customer]]
        assert len(won) == 1, outcomes
        assert lost == ["1 customer was taken by someone else or is no longer in the pool."]
        assert state(factory, tenant, customer)["owner_id"] == won[0]
