"""Protection extensions (C11): the owner asks for more days from the customer's page, someone above them
approves in the approval queue, the pool's rules wait that much longer; at most the pool's number of times."""
from datetime import timedelta

import pytest

from crm_saas.core.base import utcnow
from tests.blueprints.pools.helpers import configure_pool, default_pool_name, set_customer, state
from tests.conftest import STAFF_PASSWORD, login


@pytest.fixture
def scene(tenant, factory, client_for):
    """boss (supervisor) > rep, who owns a customer the default pool takes back in 10 days."""
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    rep = factory.user(tenant, "rep", superior_id=boss)
    configure_pool(factory, tenant, rules={"no_follow_up_days": 30, "max_extensions": 2})
    customer = factory.customer(tenant, rep, name="想延期的公司")
    set_customer(factory, tenant, customer, owned_at=utcnow() - timedelta(days=20))
    clients = {}
    for username in ("boss", "rep"):
        clients[username] = client_for(tenant)
        assert login(clients[username], username, STAFF_PASSWORD).status_code == 302
    return {"customer": customer, "rep": rep, "boss": boss, **clients}


def waiting_id(page):
    import re

    found = re.search(r'id="protection-(\d+)"', page)
    return int(found.group(1)) if found else None


def test_the_superior_approves_and_the_run_out_moves_later(tenant, factory, scene):
    customer, rep, boss = scene["customer"], scene["rep"], scene["boss"]
    panel = rep.get(f"/pools/panel/{customer}").text
    assert "Ask for more days" in panel and f"Back to {default_pool_name(factory, tenant)} on" in panel
    refused = rep.post(f"/pools/protect/{customer}", data={"days": "15", "reason": ""},
                       headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "Say why you need more days." in refused.text
    assert rep.post(f"/pools/protect/{customer}", data={"days": "15", "reason": "客户下月招标"}).status_code == 302
    assert "waiting for approval" in rep.get(f"/pools/panel/{customer}").text

    queue = boss.get("/approvals/").text
    assert "想延期的公司" in queue and "客户下月招标" in queue
    request_id = waiting_id(queue)
    before = utcnow()
    answer = boss.post(f"/approvals/protections/{request_id}/approve", headers={"HX-Request": "true"})
    assert answer.status_code == 200 and "has 15 more days" in answer.text
    protected = state(factory, tenant, customer)
    # The rules would have taken it back in 10 days: now 25.
    assert timedelta(days=24, hours=23) < protected["protected_until"] - before < timedelta(days=25, hours=1)
    assert protected["extensions"] == 1


def test_a_rep_cannot_approve_and_nobody_approves_their_own(tenant, factory, client_for, scene):
    customer, rep = scene["customer"], scene["rep"]
    rep.post(f"/pools/protect/{customer}", data={"days": "5", "reason": "等回款"})
    assert rep.get("/approvals/").status_code == 403
    assert waiting_id(scene["boss"].get("/approvals/").text) is not None


def test_at_most_the_pools_number_of_extensions(tenant, factory, admin_client, scene):
    customer, rep, boss = scene["customer"], scene["rep"], scene["boss"]
    for _ in range(2):
        assert rep.post(f"/pools/protect/{customer}", data={"days": "5", "reason": "再等等"}).status_code == 302
        boss.post(f"/approvals/protections/{waiting_id(boss.get('/approvals/').text)}/approve")
    assert state(factory, tenant, customer)["extensions"] == 2
    assert "Ask for more days" not in rep.get(f"/pools/panel/{customer}").text
    refused = rep.post(f"/pools/protect/{customer}", data={"days": "5", "reason": "最后一次"},
                       headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "all 2 extensions" in refused.text


def test_a_rejection_needs_a_reason_and_is_logged(tenant, factory, scene):
    from tests.blueprints.pools.helpers import changes

    customer, rep, boss = scene["customer"], scene["rep"], scene["boss"]
    rep.post(f"/pools/protect/{customer}", data={"days": "5", "reason": "理由"})
    request_id = waiting_id(boss.get("/approvals/").text)
    assert boss.post(f"/approvals/protections/{request_id}/reject", data={"note": ""},
                     headers={"HX-Request": "true"}).status_code == 422
    assert boss.post(f"/approvals/protections/{request_id}/reject", data={"note": "跟进不够"}).status_code == 302
    assert state(factory, tenant, customer)["protected_until"] is None
    assert changes(factory, tenant, customer)[-1][0] == "protection_rejected"
