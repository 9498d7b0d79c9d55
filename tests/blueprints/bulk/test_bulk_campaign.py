"""G1 attribution in bulk: set (or clear) the campaign of many customers at once, from the list or the API, all or
nothing, each change in the customer's log; it takes the right to edit them, as tags do."""
import pytest

from tests.blueprints.customers.campaign_helpers import make_campaign
from tests.conftest import STAFF_PASSWORD, login

HX = {"HX-Request": "true"}


@pytest.fixture
def company(tenant, factory):
    """admin > boss > rep (owns 南山一号..三号); admin > far (owns 南山远方, out of boss's sight); two campaigns."""
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    rep = factory.user(tenant, "rep", superior_id=boss)
    far = factory.user(tenant, "far", superior_id=admin)
    mine = [factory.customer(tenant, rep, name=f"南山{n}号", phone=f"1390000000{i}") for i, n in enumerate("一二三")]
    hidden = factory.customer(tenant, far, name="南山远方", phone="13900000009")
    return {"boss": boss, "far": far, "mine": mine, "hidden": hidden,
            "fair": make_campaign(factory, tenant, "秋季展会"), "mail": make_campaign(factory, tenant, "邮件推广")}


def campaign_of(api, customer_id):
    return api.get(f"/customers/{customer_id}").get_json()["campaign_id"]


def test_the_api_sets_then_clears_the_campaign_of_every_customer(tenant, api_for, company):
    api = api_for(tenant, "boss")
    done = api.post("/customers/bulk", json={"action": "campaign", "ids": company["mine"],
                                             "campaign_id": company["fair"], "reason": "展会名单"})
    assert done.status_code == 200, done.get_json()
    assert done.get_json() == {"action": "campaign", "count": 3, "changed": 3, "unchanged": 0}
    assert [campaign_of(api, c) for c in company["mine"]] == [company["fair"]] * 3
    log = api.get(f"/customers/{company['mine'][0]}/changes").get_json()["items"][0]
    assert (log["field"], log["old"], log["new"], log["reason"]) == ("campaign_id", None, company["fair"], "展会名单")

    again = api.post("/customers/bulk", json={"action": "campaign", "ids": company["mine"][:2],
                                              "campaign_id": company["fair"]})
    assert again.get_json()["unchanged"] == 2  # nothing to log
    cleared = api.post("/customers/bulk", json={"action": "campaign", "filters": {"q": "南山一"}, "campaign_id": None})
    assert cleared.status_code == 200 and cleared.get_json()["changed"] == 1
    assert [campaign_of(api, c) for c in company["mine"]] == [None, company["fair"], company["fair"]]


def test_one_invisible_id_changes_nobody(tenant, api_for, company):
    boss = api_for(tenant, "boss")
    refused = boss.post("/customers/bulk", json={"action": "campaign", "ids": [*company["mine"], company["hidden"]],
                                                 "campaign_id": company["fair"]})
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["ids"]
    assert "南山远方" not in str(refused.get_json())  # counted, never named
    assert [campaign_of(boss, c) for c in company["mine"]] == [None] * 3
    assert campaign_of(api_for(tenant, "far"), company["hidden"]) is None


@pytest.mark.parametrize("body", [{}, {"campaign_id": 999999}, {"campaign_id": "abc"}])
def test_a_missing_or_unknown_campaign_is_named(tenant, api_for, company, body):
    api = api_for(tenant, "boss")
    refused = api.post("/customers/bulk", json={"action": "campaign", "ids": company["mine"], **body})
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["campaign_id"]
    assert [campaign_of(api, c) for c in company["mine"]] == [None] * 3


def test_a_read_only_share_refuses_the_batch(tenant, api_for, company):
    api_for(tenant, "far").post(f"/customers/{company['hidden']}/shares", json={"user_id": company["boss"]})
    boss = api_for(tenant, "boss")
    refused = boss.post("/customers/bulk", json={"action": "campaign", "ids": [*company["mine"], company["hidden"]],
                                                 "campaign_id": company["fair"]})
    assert refused.status_code == 422
    assert "Shared with you to read only: 南山远方." in refused.get_json()["errors"]["ids"][0]
    assert [campaign_of(boss, c) for c in company["mine"]] == [None] * 3


def test_the_list_bar_offers_the_campaigns_and_sets_one(tenant, client_for, api_for, company):
    client = client_for(tenant)
    assert login(client, "boss", STAFF_PASSWORD).status_code == 302
    assert 'data-bulk-action="campaign"' in client.get("/customers/").text
    dialog = client.get("/customers/bulk/campaign/dialog", headers=HX).text
    assert "秋季展会" in dialog and "邮件推广" in dialog and 'value="none"' in dialog
    done = client.post("/customers/bulk/campaign", headers=HX, data={
        "scope": "ids", "ids": [str(c) for c in company["mine"][:2]], "bulk_campaign": str(company["mail"])})
    assert done.status_code == 200 and "Campaign set for 2 customers." in done.text
    api = api_for(tenant, "boss")
    assert [campaign_of(api, c) for c in company["mine"]] == [company["mail"], company["mail"], None]
    unchosen = client.post("/customers/bulk/campaign", headers=HX, data={
        "scope": "ids", "ids": [str(company["mine"][2])], "bulk_campaign": ""})
    assert unchosen.status_code == 422 and "Choose a campaign, or none to clear it." in unchosen.text
    cleared = client.post("/customers/bulk/campaign", headers=HX, data={
        "scope": "ids", "ids": [str(company["mine"][0])], "bulk_campaign": "none"})
    assert cleared.status_code == 200 and campaign_of(api, company["mine"][0]) is None
