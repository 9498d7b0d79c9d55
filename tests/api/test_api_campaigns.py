"""Campaigns through the API (API.md ``campaigns``): the fields as written there, money as decimal strings,
ROI against a known fixture, 422 naming each bad field, members added by ids or from a segment."""
import pytest

from tests.blueprints.campaigns.helpers import customer, segment, won_stage_index

FIELDS = {"id", "name", "channel", "starts_on", "ends_on", "budget", "cost", "status", "owner_id", "members",
          "customers", "deals", "won_amount", "roi"}


@pytest.fixture
def team(tenant, factory, api_for, admin_api):
    """admin > boss > rep; mkt (a rep at the top) runs marketing."""
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    rep = factory.user(tenant, "rep", superior_id=boss)
    mkt = factory.user(tenant, "mkt")
    return {"ids": {"admin": admin, "boss": boss, "rep": rep, "mkt": mkt}, "admin": admin_api,
            "rep": api_for(tenant, "rep"), "mkt": api_for(tenant, "mkt")}


def test_create_read_patch_with_the_api_fields_and_roi(team, factory, tenant):
    created = team["mkt"].post("/campaigns", json={"name": "春季展会", "channel": "exhibition",
                                                    "starts_on": "2026-03-01", "ends_on": "2026-03-03",
                                                    "budget": 50000, "cost": "20000.5"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert set(body) == FIELDS
    assert (body["budget"], body["cost"], body["status"], body["owner_id"]) == (
        "50000.00", "20000.50", "planned", team["ids"]["mkt"])
    assert (body["members"], body["customers"], body["deals"], body["won_amount"], body["roi"]) == (
        0, 0, 0, "0.00", "0.00")

    # the rep's customers and deals came from it: 60,001.50 won, 8,000 open
    campaign_id, rep = body["id"], team["ids"]["rep"]
    won = won_stage_index(factory, tenant)
    first = customer(factory, tenant, rep, "甲", campaign_id=campaign_id)
    second = customer(factory, tenant, rep, "乙", campaign_id=campaign_id)
    for customer_id, amount, stage in ((first, "60000", won), (second, "1.50", won), (second, "8000", 0)):
        factory.set_deal(tenant, factory.deal(tenant, customer_id, rep, amount=amount, stage_index=stage),
                         campaign_id=campaign_id)
    read = team["rep"].get(f"/campaigns/{campaign_id}").get_json()
    assert (read["customers"], read["deals"], read["won_amount"], read["roi"]) == (2, 3, "60001.50", "3.00")

    assert team["rep"].patch(f"/campaigns/{campaign_id}", json={"cost": "1"}).status_code == 403
    patched = team["admin"].patch(f"/campaigns/{campaign_id}", json={"cost": "30000", "status": "active"})
    assert patched.status_code == 200
    assert (patched.get_json()["roi"], patched.get_json()["status"]) == ("2.00", "active")
    none = team["mkt"].patch(f"/campaigns/{campaign_id}", json={"cost": None}).get_json()
    assert none["roi"] is None and none["cost"] is None

    listed = team["rep"].get("/campaigns?status=active").get_json()
    assert listed["total"] == 1 and listed["items"][0]["won_amount"] == "60001.50"
    assert team["rep"].get("/campaigns?status=finished").get_json()["total"] == 0
    assert team["rep"].get("/campaigns/999999").status_code == 404


def test_bad_fields_are_named_together_and_nothing_is_saved(team):
    bad = team["mkt"].post("/campaigns", json={"name": "", "channel": "radio", "starts_on": "2026-05-02",
                                                "ends_on": "2026-05-01", "budget": "-5", "cost": "many",
                                                "status": "paused", "owner_id": 999999})
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"name", "channel", "ends_on", "budget", "status", "cost", "owner_id"}
    assert team["mkt"].get("/campaigns").get_json()["total"] == 0
    created = team["mkt"].post("/campaigns", json={"name": "短信群发", "channel": "sms"}).get_json()
    dates = team["mkt"].patch(f"/campaigns/{created['id']}", json={"ends_on": "2025-01-01", "starts_on": "2025-02-01"})
    assert dates.status_code == 422 and set(dates.get_json()["errors"]) == {"ends_on"}


def test_members_by_ids_all_or_nothing_and_from_a_segment(team, factory, tenant):
    ids = team["ids"]
    campaign_id = team["mkt"].post("/campaigns", json={"name": "微信活动", "channel": "wechat"}).get_json()["id"]
    boss_customer = customer(factory, tenant, ids["boss"], "主管的", industry="finance")
    reps = [customer(factory, tenant, ids["rep"], f"金融{i}", industry="finance") for i in range(2)]
    mkt_own = customer(factory, tenant, ids["mkt"], "市场的", industry="finance")

    # mkt sees only their own customer: a list naming another is refused whole
    refused = team["mkt"].post(f"/campaigns/{campaign_id}/members", json={"customer_ids": [mkt_own, reps[0]]})
    assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {"customer_ids"}
    assert str(reps[0]) in refused.get_json()["errors"]["customer_ids"][0]
    assert team["mkt"].get(f"/campaigns/{campaign_id}").get_json()["members"] == 0
    ok = team["mkt"].post(f"/campaigns/{campaign_id}/members", json={"customer_ids": [mkt_own]})
    assert ok.status_code == 200 and ok.get_json() == {"added": 1, "customer_ids": [mkt_own], "members": 1}
    assert team["rep"].post(f"/campaigns/{campaign_id}/members", json={"customer_ids": reps}).status_code == 403
    both = team["mkt"].post(f"/campaigns/{campaign_id}/members", json={"customer_ids": [mkt_own], "segment_id": 1})
    assert both.status_code == 422

    # the admin fills it from a segment: every finance customer, mkt's already in
    segment_id = segment(factory, tenant, ids["admin"], "金融业", {"industry": "finance"}, shared=True)
    filled = team["admin"].post(f"/campaigns/{campaign_id}/members", json={"segment_id": segment_id}).get_json()
    assert filled == {"added": 3, "customer_ids": sorted([boss_customer, *reps]), "members": 4}
    again = team["admin"].post(f"/campaigns/{campaign_id}/members", json={"segment_id": segment_id}).get_json()
    assert again["added"] == 0 and again["members"] == 4

    # each sees the members whose customers they see; the total counts them all
    rep_view = team["rep"].get(f"/campaigns/{campaign_id}/members").get_json()
    assert rep_view["total"] == 2 and {m["customer_id"] for m in rep_view["items"]} == set(reps)
    assert {m["status"] for m in rep_view["items"]} == {"invited"}
    assert team["rep"].get(f"/campaigns/{campaign_id}").get_json()["members"] == 4
    assert team["admin"].get(f"/campaigns/{campaign_id}/members?status=declined").get_json()["total"] == 0
