"""The lead pool's pages (C11): the nav entry, a pool's list (masked contacts, when and why, search and filters),
releasing from a customer's page with a reason, claiming from the list, pool settings."""
import re

import pytest

from tests.blueprints.pools.helpers import (
    changes,
    configure_pool,
    default_pool_name,
    make_pool,
    pooled,
    release,
    set_customer,
    state,
)
from tests.conftest import STAFF_PASSWORD, login

PHONE = "13912345678"


@pytest.fixture
def people(tenant, factory, client_for):
    """admin > boss (supervisor) > rep, rep2; each logged in."""
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    ids = {"admin": admin, "boss": boss, "rep": factory.user(tenant, "rep", superior_id=boss),
           "rep2": factory.user(tenant, "rep2", superior_id=boss)}
    clients = {}
    for username in ("boss", "rep", "rep2"):
        clients[username] = client_for(tenant)
        assert login(clients[username], username, STAFF_PASSWORD).status_code == 302
    return ids, clients


def pool_id(factory, tenant):
    return configure_pool(factory, tenant)


def test_every_company_starts_with_a_default_pool_in_the_menu(tenant, admin_client):
    page = admin_client.get("/pools/").text
    assert 'href="/pools/"' in admin_client.get("/customers/").text  # the nav entry
    assert "Lead pool" in page and "Default" in page
    assert "No rules: customers come back only when released." in page


def test_the_pool_lists_when_and_why_each_customer_came_with_contacts_masked_for_everyone(
        tenant, factory, admin_client, people):
    ids, clients = people
    customer = pooled(factory, tenant, ids["rep"], "公海里的公司", phone=PHONE)
    pid = pool_id(factory, tenant)
    for client in (admin_client, clients["rep"], clients["boss"]):  # the previous owner and their boss too
        page = client.get(f"/pools/{pid}").text
        assert "公海里的公司" in page and "139****5678" in page and PHONE not in page
        assert "Released: 不再跟进" in page and "Rep" in page  # why, and whose it was
        detail = client.get(f"/pools/{pid}/customers/{customer}").text
        assert "139****5678" in detail and PHONE not in detail
    # Gone from the owner's own list and detail: a pooled customer is reached through its pool only.
    assert "公海里的公司" not in clients["rep"].get("/customers/").text
    assert clients["rep"].get(f"/customers/{customer}").status_code == 404
    # Searching the pool by the number must not confirm it, even for an admin.
    assert "公海里的公司" not in admin_client.get(f"/pools/{pid}?q={PHONE}").text
    assert "公海里的公司" in admin_client.get(f"/pools/{pid}?q=公海里").text


def test_the_pool_list_has_the_customer_lists_filters(tenant, factory, admin_client, people):
    ids, _clients = people
    pooled(factory, tenant, ids["rep"], "零售客户甲")
    other = factory.customer(tenant, ids["rep"], name="制造客户乙", phone="13700000001")
    set_customer(factory, tenant, other, industry="manufacturing", type="intent")
    release(factory, tenant, other, ids["rep"])
    pid = pool_id(factory, tenant)
    page = admin_client.get(f"/pools/{pid}?industry=manufacturing", headers={"HX-Request": "true"}).text
    assert page.strip().startswith('<section id="pool-results">')  # the partial, for htmx
    assert "制造客户乙" in page and "零售客户甲" not in page
    assert "零售客户甲" in admin_client.get(f"/pools/{pid}?type=potential").text
    assert "制造客户乙" not in admin_client.get(f"/pools/{pid}?type=potential").text


def test_release_needs_a_reason_and_lands_in_the_pool_logged(tenant, factory, people):
    ids, clients = people
    customer = factory.customer(tenant, ids["rep"], name="要放弃的公司")
    rep = clients["rep"]
    panel = rep.get(f"/pools/panel/{customer}").text
    assert "Release to the pool" in panel
    assert f'hx-get="/pools/panel/{customer}"' in rep.get(f"/customers/{customer}").text  # loaded into the header
    refused = rep.post(f"/pools/release/{customer}", data={"reason": "  "}, headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "Say why the customer goes back to the pool." in refused.text
    assert state(factory, tenant, customer)["owner_id"] == ids["rep"]
    done = rep.post(f"/pools/release/{customer}", data={"reason": "客户预算取消"})
    assert done.status_code == 302
    after = state(factory, tenant, customer)
    assert (after["owner_id"], after["rule"], after["reason"], after["previous_owner_id"]) == \
        (None, "release", "客户预算取消", ids["rep"])
    pool_name = default_pool_name(factory, tenant)
    assert changes(factory, tenant, customer)[-1] == ("pooled", "owner_id", "Rep", pool_name, "客户预算取消")


def test_only_the_owner_and_those_above_release(tenant, factory, people):
    ids, clients = people
    customer = factory.customer(tenant, ids["rep"], name="别人的公司")
    assert clients["rep2"].post(f"/pools/release/{customer}", data={"reason": "x"}).status_code == 404
    assert clients["boss"].post(f"/pools/release/{customer}", data={"reason": "团队调整"}).status_code == 302
    assert state(factory, tenant, customer)["owner_id"] is None


def test_claiming_from_the_list_makes_it_mine_with_contacts_in_full(tenant, factory, people):
    ids, clients = people
    customer = pooled(factory, tenant, ids["rep"], "可领取的公司", phone=PHONE)
    pid = pool_id(factory, tenant)
    answer = clients["rep2"].post(f"/pools/{pid}/claim", data={"ids": [str(customer)]},
                                  headers={"HX-Request": "true"})
    assert answer.status_code == 200 and "1 customer claimed." in answer.text
    assert state(factory, tenant, customer)["owner_id"] == ids["rep2"]
    assert PHONE in clients["rep2"].get(f"/customers/{customer}").text
    assert changes(factory, tenant, customer)[-1][:4] == ("claimed", "owner_id", default_pool_name(factory, tenant),
                                                          "Rep2")
    again = clients["rep"].post(f"/pools/{pid}/claim", data={"ids": [str(customer)]}, headers={"HX-Request": "true"})
    assert again.status_code == 409 and "taken by someone else" in again.text


def test_bulk_claim_stops_at_the_daily_limit_and_says_so(tenant, factory, people):
    ids, clients = people
    customers = [pooled(factory, tenant, ids["admin"], f"批量公司{i}", phone=f"1370000000{i}") for i in range(4)]
    pid = configure_pool(factory, tenant, claim_per_day=2)
    answer = clients["rep"].post(f"/pools/{pid}/claim", data={"ids": [str(c) for c in customers]},
                                 headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert "2 customers claimed." in answer.text and "limit of 2 claims a day" in answer.text
    owners = [state(factory, tenant, c)["owner_id"] for c in customers]
    assert owners == [ids["rep"], ids["rep"], None, None]


def test_a_supervisor_assigns_pool_customers_to_people_below(tenant, factory, people):
    ids, clients = people
    customer = pooled(factory, tenant, ids["admin"], "分配的公司")
    pid = pool_id(factory, tenant)
    assert clients["rep"].post(f"/pools/{pid}/assign", data={"ids": [str(customer)], "to": str(ids["rep2"])}
                               ).status_code == 403
    answer = clients["boss"].post(f"/pools/{pid}/assign", data={"ids": [str(customer)], "to": str(ids["rep2"])},
                                  headers={"HX-Request": "true"})
    assert answer.status_code == 200 and "1 customer assigned." in answer.text
    assert state(factory, tenant, customer)["owner_id"] == ids["rep2"]
    assert changes(factory, tenant, customer)[-1][:4] == ("assigned", "owner_id", default_pool_name(factory, tenant),
                                                          "Rep2")


def test_a_pool_one_is_not_in_is_not_found(tenant, factory, client_for, people):
    ids, clients = people
    team = make_pool(factory, tenant, "华南公海", members=[(ids["boss"], True)])
    assert clients["rep"].get(f"/pools/{team}").status_code == 200  # below a member who brings their subtree
    factory.user(tenant, "outsider", superior_id=ids["admin"])
    client = client_for(tenant)
    assert login(client, "outsider", STAFF_PASSWORD).status_code == 302
    assert client.get(f"/pools/{team}").status_code == 404
    assert "华南公海" not in client.get("/pools/").text


def test_the_pool_admin_sets_rules_limits_and_members(tenant, factory, admin_client, people):
    ids, clients = people
    team = make_pool(factory, tenant, "华北公海", admin_id=ids["boss"])
    assert clients["rep"].get(f"/pools/{team}/settings").status_code == 404  # not a member: not even seen
    page = clients["boss"].get(f"/pools/{team}/settings")
    assert page.status_code == 200 and "Days without a follow-up" in page.text
    form = {"name": "华北公海", "no_follow_up_days": "30", "intent-no_follow_up_days": "60", "warn_days": "3",
            "max_extensions": "2", "exempt_closed": "y", "claim_per_day": "5", "max_owned": "",
            "reclaim_wait_days": "7", "new_member": str(ids["rep"]), "new_member_subtree": "y"}
    assert clients["boss"].post(f"/pools/{team}/settings", data=form).status_code == 302
    stored = admin_client.get(f"/pools/{team}/settings").text
    assert 'name="no_follow_up_days" value="30"' in stored and 'name="intent-no_follow_up_days"' in stored
    assert re.search(r'name="subtree" value="%d" checked' % ids["rep"], stored)
    refused = clients["boss"].post(f"/pools/{team}/settings", data={**form, "no_follow_up_days": "-3"})
    assert refused.status_code == 422 and "Enter a whole number of days" in refused.text
    assert clients["rep"].get(f"/pools/{team}").status_code == 200  # now a member
    assert clients["rep"].get(f"/pools/{team}/settings").status_code == 403


def test_settings_managers_add_pools(tenant, factory, admin_client, people):
    ids, clients = people
    assert clients["boss"].get("/pools/new").status_code == 403
    answer = admin_client.post("/pools/new", data={"name": "新公海", "admin_id": str(ids["boss"]),
                                                   "claim_per_day": "3", "warn_days": "0", "max_extensions": "1"})
    assert answer.status_code == 302
    assert "新公海" in admin_client.get("/pools/").text
    duplicate = admin_client.post("/pools/new", data={"name": "新公海"})
    assert duplicate.status_code == 422 and "Another pool has this name." in duplicate.text


def test_a_pooled_customer_is_in_no_owned_list_search_export_or_duplicate_list(app, tenant, factory, admin_client,
                                                                               admin_api, people):
    from tests.api_client import run_export_here

    ids, _clients = people
    pooled(factory, tenant, ids["rep"], "公海重名公司", phone=PHONE)
    factory.customer(tenant, ids["rep"], name="公海重名公司", phone="13700000009")  # a same-named one, owned
    assert admin_client.get("/customers/?q=公海重名").text.count('data-customer-id="') == 1
    assert admin_client.get("/search?q=公海重名").status_code == 200
    assert admin_client.get("/customers/duplicates").status_code == 200
    assert admin_api.get("/customers", query_string={"q": "公海重名"}).get_json()["total"] == 1
    export_id = admin_api.post("/exports", json={"kind": "customers", "filters": {}}).get_json()["id"]
    assert run_export_here(app, tenant, export_id) == 1
    # Entering it again warns of the pooled one without naming it.
    form = admin_client.post("/customers/new", data={
        "name": "公海重名公司", "industry": "retail", "type": "potential", "source": "exhibition", "primary": "0",
        "contacts-0-name": "王芳", "contacts-0-phone": PHONE})
    assert form.status_code == 200 and "139****5678" not in form.text
    assert "1 more customer that you cannot see matches." in form.text
