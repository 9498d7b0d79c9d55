"""The customer pages send a fixed number of statements, however many rows they show (no N+1).

Each page is read twice, over a small company and over one with many more
customers, contacts, owners, deals, follow-ups and files; the statement
count (``count_queries``) must not move, and stays inside its budget.
"""
import io

import pytest

# What each page sends today (tenant lookup, the user, settings, menus, the page's own reads).
LIST_BUDGET = 13
DETAIL_BUDGET = 27  # 25, one for the service requests and one for the campaign's name (issue 17)


@pytest.fixture
def company(tenant, factory):
    admin = factory.admin_id(tenant)
    reps = [factory.user(tenant, f"rep{i}", superior_id=admin) for i in range(4)]
    return {"admin": admin, "reps": reps}


def add_customers(tenant, factory, reps, count, start):
    return [factory.customer(tenant, reps[i % len(reps)], name=f"客户{start + i}", phone=f"1380013{start + i:04d}")
            for i in range(count)]


def statements(count_queries, client, path):
    client.get(path)  # warm: first-request work (caches, template compiles) is not the page's
    with count_queries() as sent:
        response = client.get(path)
    assert response.status_code == 200
    return len(sent)


def test_the_list_sends_as_many_statements_for_forty_customers_as_for_two(tenant, factory, company, admin_client,
                                                                          count_queries):
    add_customers(tenant, factory, company["reps"], 2, 0)
    few = statements(count_queries, admin_client, "/customers/")
    add_customers(tenant, factory, company["reps"], 38, 100)
    many = statements(count_queries, admin_client, "/customers/")
    assert many == few <= LIST_BUDGET


def add_everything(tenant, factory, api_for, customer_id, people):
    """One contact, deal, follow-up (on the deal), service request and file per person in ``people``, each
    theirs, and a campaign the customer came from.

    Different people on every row: a page that loaded each row's person one
    by one would send one statement more per person.
    """
    contacts = [{"name": "主联系人", "phone": "13800138000", "primary": True}] + [
        {"name": f"联系人{i}", "phone": f"1390013{i:04d}", "role": "influencer"} for i in range(len(people))]
    assert api_for(tenant).patch(f"/customers/{customer_id}", json={"contacts": contacts}).status_code == 200
    for i, (person_id, username) in enumerate(people):
        api = api_for(tenant, username)
        deal = factory.deal(tenant, customer_id, person_id, name=f"商机{i}", stage_index=i % 4)
        follow_up = {"customer_id": customer_id, "deal_id": deal, "type": "call", "summary": f"第{i}次电话",
                     "occurred_at": "2026-12-01T10:00:00+08:00"}
        assert api.post("/activities", json=follow_up).status_code == 201
        upload = api.post(f"/customers/{customer_id}/files", data={"file": (io.BytesIO(b"plain text"), f"note{i}.txt")})
        assert upload.status_code == 201, upload.get_json()
        request = {"customer_id": customer_id, "type": "complaint", "description": f"第{i}次投诉",
                   "assignee_id": person_id}
        assert api.post("/service-requests", json=request).status_code == 201
    campaign = api_for(tenant).post("/campaigns", json={"name": "春季展会", "channel": "exhibition"})
    assert campaign.status_code == 201, campaign.get_json()
    patch = api_for(tenant).patch(f"/customers/{customer_id}", json={"campaign_id": campaign.get_json()["id"]})
    assert patch.status_code == 200, patch.get_json()


def test_the_detail_page_sends_as_many_statements_for_a_full_customer_as_for_a_bare_one(
        tenant, factory, admin_client, api_for, count_queries):
    chain, superior = [], factory.admin_id(tenant)
    for level in range(8):  # eight supervisors, each above the next: all of them see the rep's customers
        superior = factory.user(tenant, f"lead{level}", role="supervisor", superior_id=superior)
        chain.append((superior, f"lead{level}"))
    owner = factory.user(tenant, "rep", superior_id=superior)
    bare, full = add_customers(tenant, factory, [owner], 2, 0)
    add_everything(tenant, factory, api_for, bare, chain[:1])
    one = statements(count_queries, admin_client, f"/customers/{bare}")
    add_everything(tenant, factory, api_for, full, chain)
    eight = statements(count_queries, admin_client, f"/customers/{full}")
    assert eight == one <= DETAIL_BUDGET
