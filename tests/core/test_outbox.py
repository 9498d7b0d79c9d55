"""The outbox (core/outbox.py): an event exists exactly when its change committed, once per record and commit,
carrying the record as it stood at commit; only events someone listens to are written."""
import pytest
from sqlalchemy import func, select

from tests.blueprints.webhooks.helpers import add_endpoint, allow_private, in_tenant, outbox_rows

NOWHERE = "http://127.0.0.1:9/hooks"  # never called here: these tests read the outbox, not a receiver


@pytest.fixture
def company(tenant, factory):
    allow_private(factory, tenant)
    add_endpoint(factory, tenant, NOWHERE)  # every event is wanted
    return tenant


@pytest.fixture
def customer_id(company, factory):
    owner = factory.admin_id(company)
    customer_id = factory.customer(company, owner, name="原名公司")
    in_tenant(factory, company, _clear_outbox)
    return customer_id


def _clear_outbox():
    from crm_saas.core.outbox import OutboxEvent
    from crm_saas.extensions import db

    db.session.query(OutboxEvent).delete()
    db.session.commit()


def _events(factory, tenant):
    """``[(event, data)]`` written so far, in order."""
    from crm_saas.core.outbox import OutboxEvent
    from crm_saas.extensions import db

    return in_tenant(factory, tenant, lambda: [(e.event, e.data) for e in db.session.scalars(
        select(OutboxEvent).order_by(OutboxEvent.id))])


def _customer(customer_id):
    from crm_saas.blueprints.customers.models import Customer
    from crm_saas.extensions import db

    return db.session.get(Customer, customer_id)


def _new_customer(owner_id, name):
    from crm_saas.blueprints.customers.models import Customer

    return Customer(number=f"T-{name}", name=name, industry="it", source="referral", owner_id=owner_id)


def test_a_change_committed_without_an_earlier_flush_is_announced(company, factory, customer_id):
    from crm_saas.extensions import db

    def rename():
        _customer(customer_id).name = "新名公司"
        db.session.commit()  # the commit's own flush is the first

    in_tenant(factory, company, rename)
    [(event, data)] = _events(factory, company)
    assert (event, data["id"], data["name"]) == ("customer.updated", customer_id, "新名公司")


def test_two_flushes_in_one_transaction_make_one_event_with_the_record_as_committed(company, factory, customer_id):
    from crm_saas.extensions import db

    def edit_twice():
        customer = _customer(customer_id)
        customer.name = "第一次"
        db.session.flush()
        customer.province = "浙江省"
        db.session.flush()
        customer.name = "第二次"
        db.session.commit()

    in_tenant(factory, company, edit_twice)
    [(event, data)] = _events(factory, company)
    assert (event, data["name"], data["province"]) == ("customer.updated", "第二次", "浙江省")


def test_created_and_edited_in_one_transaction_is_only_created(company, factory, customer_id):
    from crm_saas.extensions import db

    owner = factory.admin_id(company)

    def create_then_edit():
        customer = _new_customer(owner, "刚建的公司")
        db.session.add(customer)
        db.session.flush()
        customer.name = "刚建又改的公司"
        db.session.flush()
        db.session.commit()
        return customer.id

    new_id = in_tenant(factory, company, create_then_edit)
    [(event, data)] = _events(factory, company)
    assert (event, data["id"], data["name"]) == ("customer.created", new_id, "刚建又改的公司")


def test_a_rollback_takes_its_events_with_it(company, factory, customer_id):
    from crm_saas.extensions import db

    owner = factory.admin_id(company)

    def roll_back_then_commit_something_else():
        _customer(customer_id).name = "回滚掉的名字"
        db.session.add(_new_customer(owner, "回滚掉的公司"))
        db.session.flush()
        db.session.rollback()
        _customer(customer_id).province = "江苏省"
        db.session.commit()

    in_tenant(factory, company, roll_back_then_commit_something_else)
    [(event, data)] = _events(factory, company)
    assert (event, data["name"], data["province"]) == ("customer.updated", "原名公司", "江苏省")


def test_a_savepoint_rolled_back_forgets_only_what_happened_inside_it(company, factory, customer_id):
    from crm_saas.core.outbox import OutboxEvent
    from crm_saas.extensions import db

    owner = factory.admin_id(company)

    def outer_change_and_a_failed_savepoint():
        _customer(customer_id).name = "外层改名"
        db.session.flush()
        savepoint = db.session.begin_nested()
        db.session.add(_new_customer(owner, "保存点里的公司"))
        db.session.flush()
        savepoint.rollback()
        with db.session.begin_nested():  # a savepoint released: written once, at the outer commit
            _customer(customer_id).province = "广东省"
        assert db.session.scalar(select(func.count()).select_from(OutboxEvent)) == 0  # not before the outer commit
        db.session.commit()

    in_tenant(factory, company, outer_change_and_a_failed_savepoint)
    [(event, data)] = _events(factory, company)
    assert (event, data["name"], data["province"]) == ("customer.updated", "外层改名", "广东省")


def test_the_committed_hook_runs_once_after_the_outer_commit_only_when_something_was_written(
        company, factory, customer_id):
    from crm_saas.blueprints.webhooks import listeners
    from crm_saas.blueprints.webhooks.services.endpoints import wanted_events
    from crm_saas.core import outbox
    from crm_saas.extensions import db

    calls = []

    def rename(name):
        def run():
            with db.session.begin_nested():
                _customer(customer_id).name = name
            assert calls == []  # not on the savepoint's release
            db.session.commit()
        in_tenant(factory, company, run)

    def touch_bookkeeping():
        _customer(customer_id).last_follow_up_at = func.now()  # not news for an integration
        db.session.commit()

    outbox.listen(wanted=wanted_events, committed=lambda: calls.append("woken"))
    try:
        rename("改名一次")
        assert calls == ["woken"]
        in_tenant(factory, company, touch_bookkeeping)
        assert calls == ["woken"]
    finally:
        listeners.connect()
    assert [event for event, _data in _events(factory, company)] == ["customer.updated"]


def test_nothing_is_written_for_events_nobody_listens_to(tenant, factory):
    from crm_saas.extensions import db

    allow_private(factory, tenant)
    add_endpoint(factory, tenant, NOWHERE, ["deal.won"])
    owner = factory.admin_id(tenant)
    customer_id = factory.customer(tenant, owner, name="没人听的公司")
    stages = factory.stages(tenant)
    deal_id = factory.deal(tenant, customer_id, owner)
    won = next(stage_id for stage_id, kind in stages if kind == "won")

    def win():
        from crm_saas.blueprints.pipeline.models import Deal

        db.session.get(Deal, deal_id).stage_id = won
        db.session.commit()

    in_tenant(factory, tenant, win)
    assert [row[:3] for row in outbox_rows(factory, tenant)] == [("deal.won", "deal", deal_id)]


def test_a_deal_moved_to_a_won_stage_announces_moved_and_won(company, factory, customer_id):
    owner = factory.admin_id(company)
    deal_id = factory.deal(company, customer_id, owner)
    won = next(stage_id for stage_id, kind in factory.stages(company) if kind == "won")
    factory.set_deal(company, deal_id, stage_id=won)
    events = [(event, data["id"]) for event, data in _events(factory, company)]
    assert events == [("deal.created", deal_id), ("deal.moved", deal_id), ("deal.won", deal_id)]
    assert _events(factory, company)[-1][1]["stage_kind"] == "won"


def test_the_workers_own_commits_announce_nothing(company, factory, customer_id):
    from crm_saas.blueprints.webhooks.services.delivery import dispatch
    from crm_saas.extensions import db

    def rename_then_dispatch():
        _customer(customer_id).name = "派发测试"
        db.session.commit()
        return dispatch()

    assert in_tenant(factory, company, rename_then_dispatch) == 1
    assert [row[0] for row in outbox_rows(factory, company)] == ["customer.updated"]


def test_outside_a_company_nothing_is_wanted_and_platform_commits_work(app, tenant):
    from crm_saas.blueprints.webhooks.services.endpoints import wanted_events
    from crm_saas.extensions import db
    from crm_saas.tenants.models import Tenant

    with app.app_context():
        assert wanted_events() == frozenset()
        db.session.get(Tenant, tenant.id).name = "改名的公司"  # a platform session's commit passes the hooks
        db.session.commit()
        assert db.session.get(Tenant, tenant.id).name == "改名的公司"
