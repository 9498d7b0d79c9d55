"""Pipelines, the board and deals through the API: the board's rules, the hierarchy's visibility."""
from tests.api_client import valid_customer


def _stages(api):
    pipeline = api.get("/pipelines").get_json()[0]
    return pipeline, {s["kind"]: s["id"] for s in reversed(pipeline["stages"])}, pipeline["stages"]


def test_pipelines_list_their_stages_in_order(admin_api):
    pipelines = admin_api.get("/pipelines").get_json()
    assert len(pipelines) == 1
    stages = pipelines[0]["stages"]
    assert [s["position"] for s in stages] == sorted(s["position"] for s in stages)
    assert [s["kind"] for s in stages] == ["open"] * 4 + ["won", "lost"]
    assert set(stages[0]) == {"id", "name", "position", "kind"}


def test_board_totals_count_only_visible_deals(tenant, factory, api_for):
    admin_id = factory.admin_id(tenant)
    rep = factory.user(tenant, "rep_board", superior_id=admin_id)
    mine = factory.customer(tenant, rep, name="Mine")
    factory.deal(tenant, mine, rep, name="D1", amount="1000.50")
    factory.deal(tenant, mine, rep, name="D2", amount="2000")
    factory.deal(tenant, mine, rep, name="D3", amount="5", stage_index=2)
    others = factory.customer(tenant, admin_id, name="Admin's")
    factory.deal(tenant, others, admin_id, name="Hidden", amount="999")

    rep_api = api_for(tenant, "rep_board")
    pipeline, _, stages = _stages(rep_api)
    board = rep_api.get(f"/pipelines/{pipeline['id']}/board").get_json()["stages"]
    assert [s["id"] for s in board] == [s["id"] for s in stages]
    first = board[0]
    assert (first["count"], first["amount"]) == (2, "3000.50")
    assert [d["name"] for d in first["deals"]] == ["D1", "D2"]
    assert (board[2]["count"], board[2]["amount"]) == (1, "5.00")
    assert board[1]["count"] == 0 and board[1]["amount"] == "0.00"
    admin_board = api_for(tenant).get(f"/pipelines/{pipeline['id']}/board").get_json()["stages"]
    assert (admin_board[0]["count"], admin_board[0]["amount"]) == (3, "3999.50")
    assert rep_api.get("/pipelines/999999/board").status_code == 404


def test_create_deal(admin_api):
    customer = admin_api.post("/customers", json=valid_customer()).get_json()
    _, kinds, stages = _stages(admin_api)
    response = admin_api.post("/deals", json={
        "name": "年度框架", "customer_id": customer["id"], "amount": "12345.6", "expected_close": "2027-03-31",
    })
    assert response.status_code == 201, response.get_json()
    deal = response.get_json()
    assert deal["amount"] == "12345.60" and deal["expected_close"] == "2027-03-31"
    assert deal["stage_id"] == stages[0]["id"] and deal["customer_id"] == customer["id"]
    assert deal["probability"] == 10 and deal["lost_reason"] is None
    assert {"id", "owner_id", "custom", "created_at", "updated_at"} <= set(deal)
    at_stage = admin_api.post("/deals", json={"name": "X", "customer_id": customer["id"], "amount": 7,
                                              "stage_id": stages[2]["id"]}).get_json()
    assert at_stage["stage_id"] == stages[2]["id"] and at_stage["amount"] == "7.00"


def test_create_deal_names_every_bad_field(tenant, factory, api_for):
    admin_id = factory.admin_id(tenant)
    factory.user(tenant, "rep_deal", superior_id=admin_id)
    hidden = factory.customer(tenant, admin_id, name="Not yours")
    api = api_for(tenant, "rep_deal")
    response = api.post("/deals", json={"name": "", "customer_id": hidden, "amount": "-5", "stage_id": 999999})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"name", "customer_id", "amount", "stage_id"}
    assert set(api.post("/deals", json={}).get_json()["errors"]) == {"name", "customer_id"}


def test_move_deal_and_the_lost_reason_rule(tenant, factory, api_for):
    admin_id = factory.admin_id(tenant)
    customer = factory.customer(tenant, admin_id)
    deal = factory.deal(tenant, customer, admin_id, name="Move me")
    api = api_for(tenant)
    pipeline, kinds, stages = _stages(api)

    moved = api.post(f"/deals/{deal}/move", json={"stage_id": stages[1]["id"], "position": 0})
    assert moved.status_code == 200 and moved.get_json()["stage_id"] == stages[1]["id"]
    assert moved.get_json()["probability"] == 25

    refused = api.post(f"/deals/{deal}/move", json={"stage_id": kinds["lost"]})
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["lost_reason"]
    board = api.get(f"/pipelines/{pipeline['id']}/board").get_json()["stages"]
    assert [d["id"] for d in board[1]["deals"]] == [deal]  # the refused move changed nothing

    lost = api.post(f"/deals/{deal}/move", json={"stage_id": kinds["lost"], "lost_reason": "价格太高"})
    assert lost.status_code == 200
    assert (lost.get_json()["stage_id"], lost.get_json()["lost_reason"]) == (kinds["lost"], "价格太高")
    assert set(api.post(f"/deals/{deal}/move", json={}).get_json()["errors"]) == {"stage_id"}


def test_moving_an_invisible_deal_is_404(tenant, factory, api_for):
    admin_id = factory.admin_id(tenant)
    factory.user(tenant, "rep_move", superior_id=admin_id)
    deal = factory.deal(tenant, factory.customer(tenant, admin_id), admin_id)
    api = api_for(tenant, "rep_move")
    kinds = _stages(api)[1]
    assert api.post(f"/deals/{deal}/move", json={"stage_id": kinds["won"]}).status_code == 404
    assert api.post("/deals/999999/move", json={"stage_id": kinds["won"]}).status_code == 404


def test_deal_custom_fields_are_checked_and_kept(tenant, factory, admin_api, admin_client):
    admin_api.post("/custom-fields", json={"entity": "deal", "key": "channel", "label": "渠道", "type": "choice",
                                           "options": ["直销", "代理"], "required": True})
    customer = factory.customer(tenant, factory.admin_id(tenant))
    missing = admin_api.post("/deals", json={"name": "缺字段", "customer_id": customer})
    assert missing.status_code == 422 and list(missing.get_json()["errors"]) == ["custom.channel"]
    bad = admin_api.post("/deals", json={"name": "错值", "customer_id": customer, "custom": {"channel": "电话"}})
    assert bad.status_code == 422 and "渠道" in bad.get_json()["errors"]["custom.channel"][0]
    made = admin_api.post("/deals", json={"name": "直销单", "customer_id": customer, "custom": {"channel": "直销"}})
    assert made.status_code == 201 and made.get_json()["custom"] == {"channel": "直销"}
    page = admin_client.get(f"/customers/{customer}").text
    assert 'name="custom-channel"' in page  # the customer page's deal form asks for it too
    admin_client.post(f"/customers/{customer}/deals", data={"name": "页面商机", "custom-channel": "代理"})
    assert "页面商机" in admin_client.get(f"/customers/{customer}").text
