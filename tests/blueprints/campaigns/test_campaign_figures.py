"""A campaign's page (G1): what it brought against a known fixture, counted over every record, while its
lists show only what the viewer may open; who may change it; the form names its bad fields."""
import re

import pytest

from tests.blueprints.campaigns.helpers import campaign, customer, set_customer, won_stage_index
from tests.conftest import STAFF_PASSWORD, login


@pytest.fixture
def scene(tenant, factory):
    """admin > boss > rep, rep2. A campaign owned by marketing (mkt, a rep at the top) with cost 4,000:
    3 customers came from it (one of them deleted: not counted), and 4 deals: two won (10,000 and 2,500.50),
    one open (7,000, not won), and one won but with no campaign (not counted)."""
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    rep = factory.user(tenant, "rep", superior_id=boss)
    rep2 = factory.user(tenant, "rep2", superior_id=boss)
    mkt = factory.user(tenant, "mkt", role="rep")
    campaign_id = campaign(factory, tenant, mkt, cost="4000", budget="5000")
    won = won_stage_index(factory, tenant)
    mine = customer(factory, tenant, rep, "远航贸易", campaign_id=campaign_id)
    theirs = customer(factory, tenant, rep2, "星河科技", campaign_id=campaign_id)
    gone = customer(factory, tenant, rep2, "已删除公司", campaign_id=campaign_id)
    other = customer(factory, tenant, rep, "自然来客")
    deals = [factory.deal(tenant, mine, rep, "大单", amount="10000", stage_index=won),
             factory.deal(tenant, theirs, rep2, "小单", amount="2500.50", stage_index=won),
             factory.deal(tenant, theirs, rep2, "在谈", amount="7000", stage_index=0),
             factory.deal(tenant, other, rep, "无关", amount="99999", stage_index=won)]
    for deal_id in deals[:3]:
        factory.set_deal(tenant, deal_id, campaign_id=campaign_id)
    from crm_saas.core.base import utcnow
    set_customer(factory, tenant, gone, deleted_at=utcnow())
    return {"campaign": campaign_id, "rep": rep, "mkt": mkt, "customers": (mine, theirs), "deals": deals}


def figures(html):
    return dict(re.findall(r'data-figure="(\w+)".*?data-value="([^"]*)"', html, re.S))


def test_roi_and_totals_count_every_record_of_the_campaign(scene, client_for, tenant):
    client = client_for(tenant)
    login(client, "mkt", STAFF_PASSWORD)
    page = client.get(f"/campaigns/{scene['campaign']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # won 12,500.50 / cost 4,000 = 3.125 -> 3.13; mkt owns none of these customers yet reads the whole return
    assert figures(html) == {"members": "0", "customers": "2", "deals": "3", "won_amount": "12500.50",
                             "cost": "4000.00", "roi": "3.13"}
    assert "Cost per customer: CN¥2,000.00" in html
    assert "远航贸易" not in html and "大单" not in html  # the lists name only what mkt may open

    listed = client.get("/campaigns/").get_data(as_text=True)
    assert 'data-value="12500.50"' in listed and 'data-value="3.13"' in listed


def test_a_rep_sees_the_totals_but_only_their_own_records(scene, client_for, tenant):
    client = client_for(tenant)
    login(client, "rep", STAFF_PASSWORD)
    html = client.get(f"/campaigns/{scene['campaign']}").get_data(as_text=True)
    assert figures(html)["customers"] == "2" and figures(html)["roi"] == "3.13"
    assert "远航贸易" in html and "大单" in html
    assert "星河科技" not in html and "小单" not in html
    assert client.get(f"/campaigns/{scene['campaign']}/edit").status_code == 403  # not the owner
    assert client.get("/campaigns/999999").status_code == 404


def test_no_cost_means_no_roi(tenant, factory, admin_client):
    campaign_id = campaign(factory, tenant, factory.admin_id(tenant), name="免费活动")
    html = admin_client.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    assert figures(html)["roi"] == "" and figures(html)["won_amount"] == "0.00"


def test_the_form_names_each_bad_field_and_saves_nothing(admin_client, factory, tenant):
    bad = admin_client.post("/campaigns/new", data={"name": "", "channel": "fax", "starts_on": "2026-05-10",
                                                     "ends_on": "2026-05-01", "budget": "-1", "cost": "abc"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    for field in ("name", "channel", "ends_on", "budget", "cost"):
        assert f'id="{field}-error"' in html, field
    assert "No campaigns yet." in admin_client.get("/campaigns/").get_data(as_text=True)

    saved = admin_client.post("/campaigns/new", data={"name": "华东巡展", "channel": "offline", "starts_on": "2026-05-01",
                                                       "ends_on": "2026-05-10", "budget": "80,000", "status": "active"})
    assert saved.status_code == 302
    page = admin_client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "华东巡展" in page and "Offline event" in page and "Budget: CN¥80,000.00." in page
    edited = admin_client.post(saved.headers["Location"] + "/edit", data={
        "name": "华东巡展", "channel": "offline", "starts_on": "2026-05-01", "ends_on": "2026-05-10",
        "cost": "12000", "status": "finished", "owner_id": str(factory.admin_id(tenant))})
    assert edited.status_code == 302
    assert 'data-value="12000.00"' in admin_client.get(saved.headers["Location"]).get_data(as_text=True)


def test_the_picker_offers_campaigns_not_cancelled_newest_first(tenant, factory):
    from crm_saas.blueprints.campaigns.services.choices import campaign_choices, campaign_exists

    admin = factory.admin_id(tenant)
    first = campaign(factory, tenant, admin, name="第一场")
    cancelled = campaign(factory, tenant, admin, name="取消了", status="cancelled")
    last = campaign(factory, tenant, admin, name="最新一场", status="active")
    offered, exists = factory._run(tenant, lambda: (campaign_choices(), [
        campaign_exists(i) for i in (first, cancelled, 999999, "1", True)]))
    assert offered == [(last, "最新一场"), (first, "第一场")]
    assert exists == [True, True, False, False, False]


def test_the_pages_render_and_filter(tenant, factory, admin_client):
    from tests.blueprints.campaigns.helpers import segment

    admin = factory.admin_id(tenant)
    campaign_id = campaign(factory, tenant, admin, name="邮件推广", channel="email", status="active")
    campaign(factory, tenant, admin, name="线下沙龙", channel="offline")
    segment_id = segment(factory, tenant, admin, "全部", {})
    for url in ("/campaigns/new", f"/campaigns/{campaign_id}/edit", f"/segments/{segment_id}/edit", "/segments/",
                f"/campaigns/{campaign_id}/members?status=invited"):
        assert admin_client.get(url).status_code == 200, url
    found = admin_client.get("/campaigns/?channel=email", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert found.startswith('<section id="campaign-list">') and "邮件推广" in found and "线下沙龙" not in found
    assert "邮件推广" not in admin_client.get("/campaigns/?q=沙龙").get_data(as_text=True)
