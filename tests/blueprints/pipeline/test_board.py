"""The board: columns with counts and amounts, moves saved with totals, refused moves explained."""
import re

from sqlalchemy import select

from tests.conftest import STAFF_PASSWORD, login


def heads(html):
    """``{stage_id: (count, amount)}`` from the column heads in a page or an out-of-band answer."""
    found = re.findall(r'id="stage-head-(\d+)".*?data-count="(\d+)".*?data-amount="([\d.]+)"', html, re.S)
    return {int(s): (int(c), float(a)) for s, c, a in found}


def test_move_saves_and_answers_with_new_totals(tenant, admin_client, factory):
    admin = factory.admin_id(tenant)
    customer = factory.customer(tenant, admin)
    stages = factory.stages(tenant)
    first, second = stages[0][0], stages[1][0]
    deals = [factory.deal(tenant, customer, admin, name=f"D{i}", amount="1000.50") for i in range(3)]
    before = heads(admin_client.get("/board").text)
    assert before[first] == (3, 3001.5) and before[second] == (0, 0)

    moved = admin_client.post(f"/deals/{deals[1]}/move", data={"stage_id": second, "position": 0})
    assert moved.status_code == 200
    assert f'id="deal-{deals[1]}"' in moved.text
    assert heads(moved.text) == {first: (2, 2001.0), second: (1, 1000.5)}  # out-of-band heads
    assert 'hx-swap-oob="true"' in moved.text

    board = admin_client.get("/board").text
    assert heads(board)[second] == (1, 1000.5)
    column = re.search(rf'data-stage-id="{second}".*?</ol>', board, re.S).group(0)
    assert f'id="deal-{deals[1]}"' in column


def test_reorder_within_a_column(tenant, admin_client, factory):
    admin = factory.admin_id(tenant)
    customer = factory.customer(tenant, admin)
    a, b, c = (factory.deal(tenant, customer, admin, name=n) for n in ("A", "B", "C"))
    stage = factory.stages(tenant)[0][0]
    assert admin_client.post(f"/deals/{c}/move", data={"stage_id": stage, "position": 0}).status_code == 200
    board = admin_client.get("/board").text
    order = [int(i) for i in re.findall(r'id="deal-(\d+)"', board)]
    assert order == [c, a, b]
    admin_client.post(f"/deals/{c}/move", data={"stage_id": stage, "position": 2})
    assert [int(i) for i in re.findall(r'id="deal-(\d+)"', admin_client.get("/board").text)] == [a, b, c]


def test_lost_needs_a_reason_and_is_recorded(app, tenant, admin_client, factory):
    from crm_saas.blueprints.pipeline.models import Deal, DealStageChange
    from crm_saas.extensions import db

    admin = factory.admin_id(tenant)
    deal = factory.deal(tenant, factory.customer(tenant, admin), admin, amount="500")
    lost = [sid for sid, kind in factory.stages(tenant) if kind == "lost"][0]
    refused = admin_client.post(f"/deals/{deal}/move", data={"stage_id": lost}, headers={"Accept-Language": "en"})
    assert refused.status_code == 422 and "Give a reason for losing this deal." in refused.text
    assert heads(admin_client.get("/board").text)[lost] == (0, 0)
    ok = admin_client.post(f"/deals/{deal}/move", data={"stage_id": lost, "lost_reason": "预算取消"})
    assert ok.status_code == 200

    def history():
        row = db.session.get(Deal, deal)
        changes = db.session.scalars(select(DealStageChange).where(DealStageChange.deal_id == deal)
                                     .order_by(DealStageChange.id)).all()
        return row.lost_reason, [(c.from_stage_id, c.to_stage_id, c.lost_reason) for c in changes]

    reason, changes = factory._run(tenant, history)
    first = factory.stages(tenant)[0][0]
    assert reason == "预算取消"
    assert changes == [(None, first, None), (first, lost, "预算取消")]


def test_a_rep_cannot_see_or_move_anothers_deal(tenant, client_for, factory):
    admin = factory.admin_id(tenant)
    mine = factory.user(tenant, "rep_one", superior_id=admin)
    other = factory.user(tenant, "rep_two", superior_id=admin)
    my_deal = factory.deal(tenant, factory.customer(tenant, mine), mine, name="Mine", amount="10")
    their_deal = factory.deal(tenant, factory.customer(tenant, other), other, name="Theirs", amount="99")
    client = client_for(tenant)
    login(client, "rep_one", STAFF_PASSWORD)
    board = client.get("/board").text
    assert "Mine" in board and "Theirs" not in board
    assert heads(board)[factory.stages(tenant)[0][0]] == (1, 10.0)  # totals count only visible deals
    second = factory.stages(tenant)[1][0]
    assert client.post(f"/deals/{their_deal}/move", data={"stage_id": second}).status_code == 404
    assert client.post(f"/deals/{my_deal}/move", data={"stage_id": 99999}).status_code == 422
