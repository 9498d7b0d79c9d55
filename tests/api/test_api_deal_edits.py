"""Deals through the API beyond creating and moving: products, edits with their log, stale versions, history,
the list with filters, and board totals (with weighted amounts) under filters for each kind of viewer."""
from decimal import Decimal

import pytest

from tests.api_client import valid_customer


def stages(api):
    pipeline = api.get("/pipelines").get_json()[0]
    return pipeline["id"], {s["kind"]: s["id"] for s in reversed(pipeline["stages"])}, pipeline["stages"]


def test_products_make_the_amount_and_every_edit_is_logged(tenant, factory, admin_api):
    customer = admin_api.post("/customers", json=valid_customer()).get_json()["id"]
    created = admin_api.post("/deals", json={
        "name": "打印机采购", "customer_id": customer, "key_actions": "下周演示",
        "products": [{"name": "A3 打印机", "quantity": 3, "price": "4999.5"}, {"name": "安装", "price": 300}],
    })
    assert created.status_code == 201, created.get_json()
    deal = created.get_json()
    assert deal["amount"] == "15298.50" and deal["version"] == 1
    assert deal["products"] == [{"name": "A3 打印机", "quantity": "3", "price": "4999.5"},
                                {"name": "安装", "quantity": "1", "price": "300"}]
    patched = admin_api.patch(f"/deals/{deal['id']}", json={"amount": "16000", "probability": 40,
                                                            "reason": "客户加购", "version": 1})
    assert patched.status_code == 200 and patched.get_json()["version"] == 2

    def changes():
        from sqlalchemy import select

        from crm_saas.blueprints.pipeline.models import DealChange
        from crm_saas.extensions import db

        return [(c.action, c.field, c.old, c.new, c.reason) for c in db.session.scalars(
            select(DealChange).where(DealChange.deal_id == deal["id"]).order_by(DealChange.id))]

    assert factory._run(tenant, changes)[1:] == [
        ("updated", "amount", "15298.50", "16000.00", "客户加购"), ("updated", "probability", 10, 40, "客户加购")]


def test_a_stale_version_is_refused_not_applied(admin_api, tenant, factory):
    admin = factory.admin_id(tenant)
    deal = factory.deal(tenant, factory.customer(tenant, admin), admin)
    _, kinds, stage_list = stages(admin_api)
    first = admin_api.post(f"/deals/{deal}/move", json={"stage_id": stage_list[1]["id"], "version": 1})
    assert first.status_code == 200 and first.get_json()["version"] == 2
    second = admin_api.post(f"/deals/{deal}/move", json={"stage_id": stage_list[2]["id"], "version": 1})
    assert second.status_code == 409 and second.get_json()["stage_id"] == stage_list[1]["id"]
    assert "version" in second.get_json()["errors"]
    stale_edit = admin_api.patch(f"/deals/{deal}", json={"name": "改名", "version": 1})
    assert stale_edit.status_code == 409
    assert admin_api.get(f"/deals/{deal}").get_json()["name"] == "Deal"


def test_patch_names_bad_fields_and_moves_through_the_rules(admin_api, tenant, factory):
    admin = factory.admin_id(tenant)
    deal = factory.deal(tenant, factory.customer(tenant, admin), admin)
    _, kinds, _ = stages(admin_api)
    bad = admin_api.patch(f"/deals/{deal}", json={"name": "", "amount": "-1", "probability": 120,
                                                  "owner_id": 999999, "customer_id": 999999,
                                                  "products": [{"name": "", "quantity": 0}]})
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"name", "amount", "probability", "owner_id", "customer_id",
                                             "products.0.name", "products.0.quantity"}
    no_reason = admin_api.patch(f"/deals/{deal}", json={"stage_id": kinds["lost"]})
    assert no_reason.status_code == 422 and list(no_reason.get_json()["errors"]) == ["lost_reason"]
    lost = admin_api.patch(f"/deals/{deal}", json={"stage_id": kinds["lost"], "lost_reason": "预算砍掉"})
    assert (lost.get_json()["stage_id"], lost.get_json()["lost_reason"]) == (kinds["lost"], "预算砍掉")
    history = admin_api.get(f"/deals/{deal}/history").get_json()
    assert [(h["from_stage_id"] is None, h["to_stage_id"], h["lost_reason"]) for h in history][-1] == (
        False, kinds["lost"], "预算砍掉")
    assert len(history) == 2


@pytest.fixture
def team(tenant, factory):
    """admin > boss > (rep_a, rep_b); admin > peer; deals with amounts, probabilities and close dates."""
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    people = {"admin": admin, "boss": boss, "rep_a": factory.user(tenant, "rep_a", superior_id=boss),
              "rep_b": factory.user(tenant, "rep_b", superior_id=boss),
              "peer": factory.user(tenant, "peer", superior_id=admin)}
    deals = [("rep_a", "1000", 0), ("rep_a", "3000", 1), ("rep_b", "500", 0), ("boss", "2000", 2),
             ("peer", "7000", 0), ("admin", "100", 3)]
    for i, (who, amount, stage_index) in enumerate(deals):
        customer = factory.customer(tenant, people[who], name=f"客户{i}", phone=f"1380000000{i}")
        factory.deal(tenant, customer, people[who], name=f"{who}-{amount}", amount=amount, stage_index=stage_index)
    return people


def totals(api, query=""):
    pipeline, _, _ = stages(api)
    board = api.get(f"/pipelines/{pipeline}/board{query}").get_json()["stages"]
    return {s["name"]: (s["count"], Decimal(s["amount"]), Decimal(s["weighted"])) for s in board if s["count"]}


def test_board_totals_are_the_sums_of_visible_deals_under_filters(tenant, api_for, team):
    # default probabilities: 初步接触 10, 需求分析 25, 方案提交 50, 商务谈判 75
    assert totals(api_for(tenant, "rep_a")) == {"初步接触": (1, Decimal("1000"), Decimal("100")),
                                                "需求分析": (1, Decimal("3000"), Decimal("750"))}
    assert totals(api_for(tenant, "boss")) == {"初步接触": (2, Decimal("1500"), Decimal("150")),
                                               "需求分析": (1, Decimal("3000"), Decimal("750")),
                                               "方案提交": (1, Decimal("2000"), Decimal("1000"))}
    admin = api_for(tenant)
    assert totals(admin)["初步接触"] == (3, Decimal("8500"), Decimal("850"))
    assert totals(admin, f"?team={team['boss']}")["初步接触"] == (2, Decimal("1500"), Decimal("150"))
    assert totals(admin, f"?owner_id={team['peer']}") == {"初步接触": (1, Decimal("7000"), Decimal("700"))}
    assert totals(admin, "?amount_min=1000&amount_max=3000") == {
        "初步接触": (1, Decimal("1000"), Decimal("100")), "需求分析": (1, Decimal("3000"), Decimal("750")),
        "方案提交": (1, Decimal("2000"), Decimal("1000"))}
    # a rep filtering by someone else's team still sees only their own deals
    assert totals(api_for(tenant, "rep_a"), f"?team={team['boss']}") == totals(api_for(tenant, "rep_a"))


def test_the_list_filters_sorts_and_hides(tenant, api_for, team):
    boss = api_for(tenant, "boss")
    names = lambda q="": [d["name"] for d in boss.get(f"/deals{q}").get_json()["items"]]  # noqa: E731
    assert sorted(names()) == ["boss-2000", "rep_a-1000", "rep_a-3000", "rep_b-500"]
    assert names("?sort=-amount") == ["rep_a-3000", "boss-2000", "rep_a-1000", "rep_b-500"]
    assert names(f"?owner_id={team['rep_b']}") == ["rep_b-500"]
    assert names("?q=rep_a&sort=amount") == ["rep_a-1000", "rep_a-3000"]
    assert names("?q=客户4") == []  # the peer's customer: not the boss's to see
    assert boss.get("/deals?sort=colour").status_code == 422


def test_weighted_amounts_round_half_up_like_money(tenant, factory, admin_api):
    admin = factory.admin_id(tenant)
    customer = factory.customer(tenant, admin)
    factory.deal(tenant, customer, admin, amount="12000.50", stage_index=1)  # x 25% = 3,000.125
    assert totals(admin_api)["需求分析"] == (1, Decimal("12000.50"), Decimal("3000.13"))
