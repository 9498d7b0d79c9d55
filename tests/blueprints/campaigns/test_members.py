"""A campaign's members (G1): filled from a segment in one action, re-synced (only newcomers join, answers
stay), each member's response status set in its row, and the lists limited to what the viewer sees."""
import re

import pytest

from tests.blueprints.campaigns.helpers import campaign, customer, segment
from tests.conftest import STAFF_PASSWORD, login


@pytest.fixture
def scene(tenant, factory, client_for):
    """mkt (a supervisor over rep) owns a campaign and a segment of manufacturing customers: rep's 甲 and 乙,
    and rep2's 丙 (outside mkt's sight); 丁 is retail."""
    admin = factory.admin_id(tenant)
    mkt = factory.user(tenant, "mkt", role="supervisor", superior_id=admin)
    rep = factory.user(tenant, "rep", superior_id=mkt)
    rep2 = factory.user(tenant, "rep2", superior_id=admin)
    people = {"甲": customer(factory, tenant, rep, "甲制造", industry="manufacturing"),
              "乙": customer(factory, tenant, rep, "乙制造", industry="manufacturing"),
              "丙": customer(factory, tenant, rep2, "丙制造", industry="manufacturing"),
              "丁": customer(factory, tenant, rep, "丁零售", industry="retail")}
    clients = {}
    for name in ("mkt", "rep"):
        clients[name] = client_for(tenant)
        login(clients[name], name, STAFF_PASSWORD)
    return {"campaign": campaign(factory, tenant, mkt), "segment": segment(
        factory, tenant, mkt, "制造业", {"industry": "manufacturing"}, shared=True),
        "ids": {"mkt": mkt, "rep": rep}, "customers": people, **clients}


def member_rows(html):
    """``{customer name: (member id, status)}`` of the members table."""
    rows = re.findall(r'<tr id="member-(\d+)"[^>]*data-status="(\w+)">\s*<td><a [^>]*>([^<]+)</a>', html)
    return {name: (int(member_id), status) for member_id, status, name in rows}


def test_fill_from_a_segment_then_resync_adds_only_newcomers_and_keeps_answers(scene, factory, tenant):
    mkt, url = scene["mkt"], f"/campaigns/{scene['campaign']}"
    added = mkt.post(f"{url}/members/segment", data={"segment_id": scene["segment"]})
    assert added.status_code == 302
    page = mkt.get(url).get_data(as_text=True)
    assert "2 customers added to the campaign." in page
    rows = member_rows(page)
    assert set(rows) == {"甲制造", "乙制造"}  # 丙 is not mkt's to see, 丁 is not in the segment
    assert "Re-sync from the segment" in page

    answered = mkt.post(f"{url}/members/{rows['甲制造'][0]}/status", data={"status": "registered"},
                        headers={"HX-Request": "true"})
    assert answered.status_code == 200
    row = answered.get_data(as_text=True)
    assert row.startswith(f'<tr id="member-{rows["甲制造"][0]}"') and 'data-status="registered"' in row
    assert "Answered" in row
    refused = mkt.post(f"{url}/members/{rows['乙制造'][0]}/status", data={"status": "maybe"})
    assert refused.status_code == 422 and "field-error" in refused.get_data(as_text=True)

    customer(factory, tenant, scene["ids"]["rep"], "戊制造", industry="manufacturing")  # a newcomer matches
    assert mkt.post(f"{url}/members/resync").status_code == 302
    page = mkt.get(url).get_data(as_text=True)
    assert "1 customer added to the campaign." in page
    rows = member_rows(page)
    assert {name: status for name, (_id, status) in rows.items()} == {
        "甲制造": "registered", "乙制造": "invited", "戊制造": "invited"}
    assert mkt.post(f"{url}/members/resync").status_code == 302
    assert "No new customers" in mkt.get(url).get_data(as_text=True)
    assert 'data-figure="members"' in page and re.search(r'data-figure="members".*?data-value="3"', page, re.S)


def test_the_rep_sets_answers_of_their_customers_but_changes_nothing_else(scene):
    mkt, rep, url = scene["mkt"], scene["rep"], f"/campaigns/{scene['campaign']}"
    mkt.post(f"{url}/members/segment", data={"segment_id": scene["segment"]})
    rows = member_rows(rep.get(url).get_data(as_text=True))
    assert set(rows) == {"甲制造", "乙制造"}
    member_id = rows["乙制造"][0]
    assert rep.post(f"{url}/members/{member_id}/status", data={"status": "declined"}).status_code == 200
    assert rep.post(f"{url}/members/{member_id}/remove").status_code == 403
    assert rep.post(f"{url}/members/resync").status_code == 403
    assert rep.post(f"{url}/members/segment", data={"segment_id": scene["segment"]}).status_code == 403

    removed = mkt.post(f"{url}/members/{member_id}/remove", headers={"HX-Request": "true"})
    assert removed.status_code == 200 and removed.get_data(as_text=True) == ""
    assert set(member_rows(mkt.get(url).get_data(as_text=True))) == {"甲制造"}
    assert mkt.post(f"{url}/members/{member_id}/status", data={"status": "sent"}).status_code == 404


def test_a_departure_hands_campaigns_and_segments_over_and_a_merge_keeps_memberships(scene, factory, tenant):
    from sqlalchemy import select

    from crm_saas.blueprints.campaigns.models import Campaign, CampaignMember, Segment
    from crm_saas.blueprints.customers.models import Customer
    from crm_saas.blueprints.customers.services.duplicates import merge_customers
    from crm_saas.blueprints.staff.services.departures import deactivate_staff
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    scene["mkt"].post(f"/campaigns/{scene['campaign']}/members/segment", data={"segment_id": scene["segment"]})
    kept, merged = scene["customers"]["甲"], scene["customers"]["丁"]  # 丁 (retail) is no member yet

    def run():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        mkt = db.session.get(User, scene["ids"]["mkt"])
        deactivate_staff(mkt, admin.id, actor=admin)
        owners = (db.session.get(Campaign, scene["campaign"]).owner_id,
                  db.session.get(Segment, scene["segment"]).owner_id)
        member = db.session.scalar(select(CampaignMember).where(CampaignMember.customer_id == kept))
        member.status = "attended"
        db.session.commit()
        # the member 甲 merged away into 丁: 丁 takes its place in the campaign, answer and all
        merge_customers(db.session.get(Customer, merged), db.session.get(Customer, kept), actor=admin)
        rows = db.session.execute(select(CampaignMember.customer_id, CampaignMember.status)
                                  .where(CampaignMember.campaign_id == scene["campaign"])).all()
        return owners, admin.id, dict(rows)

    owners, admin_id, members = factory._run(tenant, run)
    assert owners == (admin_id, admin_id)
    assert members[merged] == "attended" and kept not in members
