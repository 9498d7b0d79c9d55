"""The approval queue (B4): a rep's new customer waits for a supervisor above them; a supervisor's is active."""
from sqlalchemy import select

from tests.conftest import STAFF_PASSWORD, customer_form, login

NEW_CUSTOMER = customer_form(contacts=[{"name": "王芳", "phone": "13800138000"}], confirm_duplicates="1")


def customer_row(factory, tenant, name):
    """(status, review_note, reviewer's username) of the customer called ``name``."""
    from crm_saas.blueprints.customers.models import Customer
    from crm_saas.extensions import db

    def read():
        c = db.session.scalar(select(Customer).where(Customer.name == name))
        return c.status, c.review_note, c.reviewed_by.username if c.reviewed_by else None

    return factory._run(tenant, read)


def customer_id(factory, tenant, name):
    from crm_saas.blueprints.customers.models import Customer
    from crm_saas.extensions import db

    return factory._run(tenant, lambda: db.session.scalar(select(Customer.id).where(Customer.name == name)))


def enter_customer(client, name):
    response = client.post("/customers/new", data=dict(NEW_CUSTOMER, name=name))
    assert response.status_code == 302, response.text
    return response


def approval_on(admin_client):
    assert admin_client.post("/settings/general", data={"customer_approval": "y"}).status_code == 200


def org(tenant, factory, client_for):
    """admin -> boss -> rep, admin -> other (a supervisor of another branch) -> other_rep; each logged in."""
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    factory.user(tenant, "rep", superior_id=boss)
    other = factory.user(tenant, "other", role="supervisor", superior_id=admin)
    factory.user(tenant, "other_rep", superior_id=other)
    clients = {}
    for username in ("boss", "rep", "other", "other_rep"):
        clients[username] = client_for(tenant)
        assert login(clients[username], username, STAFF_PASSWORD).status_code == 302
    return clients


def test_without_the_setting_every_entry_is_active(tenant, admin_client, client_for, factory):
    people = org(tenant, factory, client_for)
    enter_customer(people["rep"], "Free Co")
    assert customer_row(factory, tenant, "Free Co")[0] == "active"


def test_a_reps_entry_waits_in_the_supervisors_queue_a_supervisors_is_active(tenant, admin_client, client_for,
                                                                             factory):
    people = org(tenant, factory, client_for)
    approval_on(admin_client)
    enter_customer(people["rep"], "Waiting Co")
    enter_customer(people["boss"], "Boss Co")
    assert customer_row(factory, tenant, "Waiting Co")[0] == "pending"
    assert customer_row(factory, tenant, "Boss Co")[0] == "active"
    queue = people["boss"].get("/approvals/")
    assert queue.status_code == 200 and "Waiting Co" in queue.text and "Boss Co" not in queue.text
    assert "Rep" in queue.text  # owner and entered-by
    assert "Waiting Co" in admin_client.get("/approvals/").text  # admins see every branch
    assert "Waiting Co" not in people["other"].get("/approvals/").text  # another branch
    assert people["rep"].get("/approvals/").status_code == 403  # reps approve nothing
    # The rep sees their own customer marked as waiting.
    detail = people["rep"].get(f"/customers/{customer_id(factory, tenant, 'Waiting Co')}")
    assert "Pending approval" in detail.text


def test_approve_makes_it_active_and_leaves_the_queue(tenant, admin_client, client_for, factory):
    people = org(tenant, factory, client_for)
    approval_on(admin_client)
    enter_customer(people["rep"], "Waiting Co")
    enter_customer(people["rep"], "Second Co")
    cid = customer_id(factory, tenant, "Waiting Co")
    answer = people["boss"].post(f"/approvals/{cid}/approve", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert 'id="approval-queue"' in answer.text and "<html" not in answer.text
    assert "Waiting Co (CRM" in answer.text and "has been approved" in answer.text
    assert f'id="approval-{cid}"' not in answer.text and "Second Co" in answer.text
    assert customer_row(factory, tenant, "Waiting Co") == ("active", None, "boss")
    assert people["boss"].post(f"/approvals/{cid}/approve").status_code == 404  # decided already
    assert f'id="approval-{cid}"' not in people["boss"].get("/approvals/").text


def test_reject_needs_a_reason_and_the_owner_reads_it(tenant, admin_client, client_for, factory):
    people = org(tenant, factory, client_for)
    approval_on(admin_client)
    enter_customer(people["rep"], "Doubtful Co")
    cid = customer_id(factory, tenant, "Doubtful Co")
    refused = people["boss"].post(f"/approvals/{cid}/reject", data={"note": "  "}, headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "Reason for rejection is required." in refused.text
    assert customer_row(factory, tenant, "Doubtful Co")[0] == "pending"
    done = people["boss"].post(f"/approvals/{cid}/reject", data={"note": "Duplicate of an existing customer"})
    assert done.status_code == 302
    assert customer_row(factory, tenant, "Doubtful Co") == ("rejected", "Duplicate of an existing customer", "boss")
    assert "Duplicate of an existing customer" in people["rep"].get(f"/customers/{cid}").text
    assert f'id="approval-{cid}"' not in people["boss"].get("/approvals/").text


def test_outside_the_subtree_is_404(tenant, admin_client, client_for, factory):
    people = org(tenant, factory, client_for)
    approval_on(admin_client)
    enter_customer(people["rep"], "Boss's branch Co")
    cid = customer_id(factory, tenant, "Boss's branch Co")
    assert people["other"].post(f"/approvals/{cid}/approve").status_code == 404
    assert people["other"].post(f"/approvals/{cid}/reject", data={"note": "no"}).status_code == 404
    assert people["boss"].post("/approvals/999999/approve").status_code == 404
    assert customer_row(factory, tenant, "Boss's branch Co")[0] == "pending"


def test_revoking_the_right_makes_supervisors_wait_and_nobody_approves_their_own(tenant, admin_client, client_for,
                                                                                 factory):
    people = org(tenant, factory, client_for)
    approval_on(admin_client)
    revoke = {"submitted": "1", "supervisor": ["transfer_customers", "export"], "rep": []}
    assert admin_client.post("/settings/permissions", data=revoke).status_code == 200
    enter_customer(people["boss"], "Boss Co")
    assert customer_row(factory, tenant, "Boss Co")[0] == "pending"
    # The page stays open for transfer requests (the boss may still transfer), without the customer queue.
    without = people["boss"].get("/approvals/")
    assert without.status_code == 200 and 'id="approval-queue"' not in without.text
    assert people["boss"].post(f"/approvals/{customer_id(factory, tenant, 'Boss Co')}/approve").status_code == 403
    # Given the right back, the boss still cannot judge their own entry; the admin can.
    grant = dict(revoke, supervisor=["transfer_customers", "export", "approve_customers"])
    admin_client.post("/settings/permissions", data=grant)
    cid = customer_id(factory, tenant, "Boss Co")
    assert "Boss Co" not in people["boss"].get("/approvals/").text
    assert people["boss"].post(f"/approvals/{cid}/approve").status_code == 404
    assert "Boss Co" in admin_client.get("/approvals/").text
    assert admin_client.post(f"/approvals/{cid}/approve").status_code == 302
    assert customer_row(factory, tenant, "Boss Co") == ("active", None, "admin")


def test_pending_count_for_the_nav_badge(tenant, admin_client, client_for, factory):
    from crm_saas.blueprints.approvals.services import pending_count
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    people = org(tenant, factory, client_for)
    approval_on(admin_client)
    enter_customer(people["rep"], "One Co")
    enter_customer(people["rep"], "Two Co")
    enter_customer(people["other_rep"], "Three Co")

    def counts():
        users = {u.username: u for u in db.session.scalars(select(User))}
        return {name: pending_count(users[name]) for name in ("admin", "boss", "other", "rep")}

    assert factory._run(tenant, counts) == {"admin": 3, "boss": 2, "other": 1, "rep": 0}


def test_decisions_are_in_the_operation_log(tenant, admin_client, client_for, factory):
    people = org(tenant, factory, client_for)
    approval_on(admin_client)
    enter_customer(people["rep"], "Good Co")
    enter_customer(people["rep"], "Bad Co")
    people["boss"].post(f"/approvals/{customer_id(factory, tenant, 'Good Co')}/approve")
    people["boss"].post(f"/approvals/{customer_id(factory, tenant, 'Bad Co')}/reject", data={"note": "Fake company"})
    log = admin_client.get("/audit/operations").text
    assert "Customer approved" in log and "Customer rejected" in log and "Fake company" in log
    assert "Good Co" in log and "Bad Co" in log
