"""Transferring customers, and the approval status customers carry."""
import pytest

from tests.api_client import ApiClient, change_setting, valid_customer


@pytest.fixture
def team(tenant, factory):
    """admin > boss (supervisor) > rep_a, rep_b; peer (supervisor) > rep_c."""
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    peer = factory.user(tenant, "peer", role="supervisor", superior_id=admin)
    return {
        "admin": admin, "boss": boss, "peer": peer,
        "rep_a": factory.user(tenant, "rep_a", superior_id=boss),
        "rep_b": factory.user(tenant, "rep_b", superior_id=boss),
        "rep_c": factory.user(tenant, "rep_c", superior_id=peer),
    }


def transfer_log(tenant, factory, customer_id):
    """The operation log rows of transfers of one customer, as the log page lists them."""
    from sqlalchemy import select

    from crm_saas.core.audit import OperationLog
    from crm_saas.extensions import db

    return factory._run(tenant, lambda: [
        (row.actor_name, row.details) for row in db.session.scalars(
            select(OperationLog).where(OperationLog.action == "customer_transferred",
                                       OperationLog.target_id == customer_id).order_by(OperationLog.id))
    ])


def test_transfer_moves_the_customer_and_its_owners_deals(tenant, factory, api_for, admin_api, team):
    customer = factory.customer(tenant, team["rep_a"], name="转手客户")
    own_deal = factory.deal(tenant, customer, team["rep_a"], name="A 的商机")
    boss_deal = factory.deal(tenant, customer, team["boss"], name="主管的商机")
    rep_a = api_for(tenant, "rep_a")

    response = admin_api.post(f"/customers/{customer}/transfer", json={"to": team["rep_c"], "reason": "A 离开华东区"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["id"], body["owner_id"], body["name"]) == (customer, team["rep_c"], "转手客户")

    assert rep_a.get(f"/customers/{customer}").status_code == 404
    rep_c = api_for(tenant, "rep_c")
    assert rep_c.get(f"/customers/{customer}").get_json()["owner_id"] == team["rep_c"]
    board = rep_c.get(f"/pipelines/{rep_c.get('/pipelines').get_json()[0]['id']}/board").get_json()
    assert [d["id"] for stage in board["stages"] for d in stage["deals"]] == [own_deal]  # the boss keeps theirs
    boss_board = api_for(tenant, "boss").get(f"/pipelines/{rep_c.get('/pipelines').get_json()[0]['id']}/board")
    assert boss_deal in [d["id"] for stage in boss_board.get_json()["stages"] for d in stage["deals"]]
    assert transfer_log(tenant, factory, customer) == [("Admin", {
        "from_id": team["rep_a"], "to_id": team["rep_c"], "reason": "A 离开华东区", "deals": 1})]


def test_a_supervisor_may_hand_a_team_customer_to_anyone_in_the_company(tenant, factory, api_for, team):
    customer = factory.customer(tenant, team["rep_b"])
    boss = api_for(tenant, "boss")  # supervisors hold transfer_customers by default
    response = boss.post(f"/customers/{customer}/transfer", json={"to": team["peer"]})
    assert response.status_code == 200 and response.get_json()["owner_id"] == team["peer"]
    assert boss.get(f"/customers/{customer}").status_code == 404  # out of the boss's team now
    assert transfer_log(tenant, factory, customer)[0][1]["reason"] is None


def test_without_a_token_401_hidden_404_visible_without_permission_202(tenant, factory, client_for, api_for, team):
    customer = factory.customer(tenant, team["rep_a"])
    assert ApiClient(client_for(tenant)).post(f"/customers/{customer}/transfer", json={"to": team["rep_b"]}
                                              ).status_code == 401
    rep_a = api_for(tenant, "rep_a")  # the owner, but reps may not transfer: the request waits for approval
    assert rep_a.post(f"/customers/{customer}/transfer", json={"to": "x"}).status_code == 422
    asked = rep_a.post(f"/customers/{customer}/transfer", json={"to": team["rep_b"], "reason": "换区"})
    assert asked.status_code == 202, asked.get_json()
    assert {k: asked.get_json()[k] for k in ("customer_id", "to", "reason", "status")} == {
        "customer_id": customer, "to": team["rep_b"], "reason": "换区", "status": "pending"}
    again = rep_a.post(f"/customers/{customer}/transfer", json={"to": team["rep_b"]})
    assert again.status_code == 422 and list(again.get_json()["errors"]) == ["to"]  # one request at a time
    peer = api_for(tenant, "peer")  # may transfer, but not this customer: it is not theirs to see
    assert peer.post(f"/customers/{customer}/transfer", json={"to": team["rep_c"]}).status_code == 404
    assert peer.post(f"/customers/{customer}/transfer", json={}).status_code == 404
    assert peer.post("/customers/999999/transfer", json={"to": team["rep_c"]}).status_code == 404
    assert rep_a.get(f"/customers/{customer}").get_json()["owner_id"] == team["rep_a"]
    assert transfer_log(tenant, factory, customer) == []


def test_a_bad_receiver_is_422_naming_to(tenant, factory, admin_api, team):
    customer = factory.customer(tenant, team["rep_a"])
    admin_api.post(f"/staff/{team['rep_b']}/deactivate", json={"handover_to": team["boss"]})
    for body in ({}, {"to": None}, {"to": "x"}, {"to": 999999}, {"to": team["rep_b"]}, {"to": team["rep_a"]},
                 {"to": True}):
        response = admin_api.post(f"/customers/{customer}/transfer", json=body)
        assert response.status_code == 422, body
        assert list(response.get_json()["errors"]) == ["to"], body
    both = admin_api.post(f"/customers/{customer}/transfer", json={"to": 999999, "reason": "x" * 501})
    assert set(both.get_json()["errors"]) == {"to", "reason"}
    assert admin_api.get(f"/customers/{customer}").get_json()["owner_id"] == team["rep_a"]
    assert transfer_log(tenant, factory, customer) == []


def test_customers_carry_their_approval_status_and_filter_by_it(tenant, factory, api_for, admin_api, team):
    change_setting(factory, tenant, "customer_approval", lambda _old: True)
    pending = api_for(tenant, "rep_a").post("/customers", json=valid_customer(name="待审客户"))
    assert pending.status_code == 201 and pending.get_json()["status"] == "pending"
    active = admin_api.post("/customers", json=valid_customer(name="直接生效"))
    assert active.get_json()["status"] == "active"
    def names(status):
        return [c["name"] for c in admin_api.get(f"/customers?status={status}").get_json()["items"]]

    assert names("pending") == ["待审客户"]
    assert names("active") == ["直接生效"]
    assert names("rejected") == []
    bad = admin_api.get("/customers?status=approved")
    assert bad.status_code == 422 and list(bad.get_json()["errors"]) == ["status"]
