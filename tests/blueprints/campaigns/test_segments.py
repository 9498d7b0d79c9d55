"""Segments (G1): a saved customer filter whose count is the list the viewer opens, private or shared with the
team, saved from the customer list (company size included), and the ready-made 沉睡客户."""
import re

import pytest

from tests.blueprints.campaigns.helpers import (
    customer,
    days_ago,
    dormant_segment_id,
    segment,
    set_customer,
)
from tests.conftest import STAFF_PASSWORD, login


@pytest.fixture
def team(tenant, factory, client_for):
    """admin > boss > rep, rep2, each signed in; intent customers: rep 2 (one of 21-100 staff), rep2 1, boss 0."""
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    rep = factory.user(tenant, "rep", superior_id=boss)
    rep2 = factory.user(tenant, "rep2", superior_id=boss)
    customer(factory, tenant, rep, "远航贸易", type="intent", size="21-100")
    customer(factory, tenant, rep, "星河科技", type="intent", size="1000+")
    customer(factory, tenant, rep, "潜在一号", type="potential", size="21-100")
    customer(factory, tenant, rep2, "东方制造", type="intent", size="21-100")
    customer(factory, tenant, boss, "主管客户", type="potential")
    clients = {}
    for name in ("boss", "rep", "rep2"):
        clients[name] = client_for(tenant)
        login(clients[name], name, STAFF_PASSWORD)
    return {"ids": {"admin": admin, "boss": boss, "rep": rep, "rep2": rep2}, **clients}


def count_on_segments_page(client, segment_id):
    html = client.get("/segments/").get_data(as_text=True)
    found = re.search(rf'data-segment-id="{segment_id}".*?data-count="(\d+)"', html, re.S)
    return int(found.group(1)) if found else None


def list_total(client, url):
    html = client.get(url).get_data(as_text=True)
    return int(re.search(r"(\d+) customers?\b", html).group(1))


def test_a_segments_count_equals_its_list_for_a_rep_and_their_supervisor(team, factory, tenant):
    segment_id = segment(factory, tenant, team["ids"]["rep"], "意向客户", {"type": "intent"}, shared=True)
    # rep sees their 2 intent customers; boss sees those and rep2's: 3
    for name, expected in (("rep", 2), ("boss", 3)):
        client = team[name]
        assert count_on_segments_page(client, segment_id) == expected, name
        assert list_total(client, f"/segments/{segment_id}") == expected, name
        assert list_total(client, "/customers/?type=intent") == expected, name  # "open in the customer list"
    html = team["boss"].get(f"/segments/{segment_id}").get_data(as_text=True)
    assert "东方制造" in html and "潜在一号" not in html
    # shared with the team means the owner, above and below: a colleague beside the owner does not see it
    assert team["rep2"].get(f"/segments/{segment_id}").status_code == 404
    assert count_on_segments_page(team["rep2"], segment_id) is None


def test_a_private_segment_is_its_owners_alone(team, factory, tenant, admin_client):
    segment_id = segment(factory, tenant, team["ids"]["rep"], "我的清单", {"size": "21-100"})
    assert list_total(team["rep"], f"/segments/{segment_id}") == 2
    for client in (team["boss"], team["rep2"], admin_client):
        assert client.get(f"/segments/{segment_id}").status_code == 404
        assert client.post(f"/segments/{segment_id}/delete").status_code == 404
    assert team["boss"].post(f"/segments/{segment_id}/edit", data={"name": "x"}).status_code == 404


def test_save_the_customer_lists_filters_as_a_segment_with_company_size(team):
    rep = team["rep"]
    listed = rep.get("/customers/?type=intent&size=21-100").get_data(as_text=True)
    assert "Save as segment" in listed and "1 customer" in listed  # the list filters by size too
    assert "Company size: 21-100 staff" in listed  # its chip
    refused = rep.post("/segments/new", data={"name": " ", "type": "intent"}, headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "Enter the segment" in refused.get_data(as_text=True)

    saved = rep.post("/segments/new", data={"name": "中型意向", "shared": "y", "type": "intent", "size": "21-100",
                                            "q": "", "sort": "name", "per_page": "100"})
    assert saved.status_code == 302
    page = rep.get(saved.headers["Location"]).get_data(as_text=True)
    assert "中型意向" in page and "远航贸易" in page and "星河科技" not in page
    assert "Company size: 21-100 staff" in page and "Customer type: Intent customer" in page
    open_link = re.search(r'href="(/customers/\?[^"]+)"', page).group(1).replace("&amp;", "&")
    assert sorted(open_link.split("?")[1].split("&")) == ["size=21-100", "sort=name", "type=intent"]

    segment_id = int(saved.headers["Location"].rstrip("/").split("/")[-1])
    replaced = rep.post("/segments/new", data={"replace": str(segment_id), "type": "potential"})
    assert replaced.status_code == 302
    assert list_total(rep, f"/segments/{segment_id}") == 1  # 潜在一号
    assert team["rep2"].post("/segments/new", data={"replace": str(segment_id), "type": "lost"}).status_code == 404


def test_the_dormant_segment_finds_customers_nobody_followed_up_or_dealt_with(team, factory, tenant, admin_client):
    ids = team["ids"]
    asleep = customer(factory, tenant, ids["rep"], "沉睡甲", created_at=days_ago(200))
    followed = customer(factory, tenant, ids["rep"], "刚跟进", created_at=days_ago(200),
                        last_follow_up_at=days_ago(10))
    customer(factory, tenant, ids["rep"], "新客户")  # entered today: new, not asleep
    dealt = customer(factory, tenant, ids["rep"], "新商机", created_at=days_ago(200), last_follow_up_at=days_ago(120))
    deal = factory.deal(tenant, dealt, ids["rep"], "最近的商机")
    factory.set_deal(tenant, deal, created_at=days_ago(150), updated_at=days_ago(10))
    old_deal = customer(factory, tenant, ids["rep"], "旧商机", created_at=days_ago(200), last_follow_up_at=days_ago(100))
    factory.set_deal(tenant, factory.deal(tenant, old_deal, ids["rep"], "旧单"), created_at=days_ago(150),
                     updated_at=days_ago(150))
    customer(factory, tenant, ids["rep2"], "别人的沉睡", created_at=days_ago(200))
    # The fixture's customers were entered today: none of them is asleep.
    segment_id = dormant_segment_id(factory, tenant)
    assert segment_id is not None  # every new company has it

    page = team["rep"].get(f"/segments/{segment_id}").get_data(as_text=True)
    names = set(re.findall(r'data-customer-id="\d+">\s*<td[^>]*>[^<]*</td>\s*<td[^>]*><a [^>]*>([^<]+)</a>', page))
    assert names == {"沉睡甲", "旧商机"}
    assert count_on_segments_page(team["rep"], segment_id) == 2
    assert count_on_segments_page(team["boss"], segment_id) == 3  # rep2's too
    set_customer(factory, tenant, asleep, last_follow_up_at=days_ago(1))
    assert count_on_segments_page(team["rep"], segment_id) == 1
    assert followed  # kept for the scene

    # admins tune its days; a rep may not, and nobody deletes it
    assert team["rep"].post(f"/segments/{segment_id}/edit", data={"name": "x", "days": "30"}).status_code == 403
    assert admin_client.post(f"/segments/{segment_id}/delete").status_code == 403
    bad = admin_client.post(f"/segments/{segment_id}/edit", data={"name": "沉睡客户", "days": "0"})
    assert bad.status_code == 422 and 'id="filters-days-error"' in bad.get_data(as_text=True)
    assert admin_client.post(f"/segments/{segment_id}/edit", data={"name": "沉睡客户", "days": "160"}).status_code == 302
    # within 160 days 旧商机 was followed up (100 days ago): only rep2's customer sleeps that long
    assert count_on_segments_page(team["boss"], segment_id) == 1


def exported_names(factory, tenant, tmp_path, export_id):
    """What the customer export job writes for export ``export_id`` (its writer, as the worker runs it)."""
    import openpyxl

    from crm_saas.blueprints.exports.models import Export
    from crm_saas.extensions import db
    from crm_saas.workers.exports import write_customers

    path = tmp_path / f"export-{export_id}.xlsx"

    def run():
        export = db.session.get(Export, export_id)
        write_customers(str(path), export.created_by, export.filters)

    factory._run(tenant, run)
    rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    return {row[1] for row in rows[1:]}


def test_a_segment_exports_its_customers_as_the_customer_list_does(team, factory, tenant, admin_client, tmp_path):
    segment_id = segment(factory, tenant, team["ids"]["rep"], "中型", {"size": "21-100"}, shared=True)
    assert team["rep"].post(f"/segments/{segment_id}/export").status_code == 403  # reps may not export by default
    started = team["boss"].post(f"/segments/{segment_id}/export", headers={"HX-Request": "true"})
    assert started.status_code == 200 and "<progress" in started.get_data(as_text=True)
    export_id = int(re.search(r"/exports/(\d+)", started.get_data(as_text=True)).group(1))
    assert exported_names(factory, tenant, tmp_path, export_id) == {"远航贸易", "潜在一号", "东方制造"}

    dormant = dormant_segment_id(factory, tenant)
    customer(factory, tenant, team["ids"]["rep"], "沉睡乙", created_at=days_ago(365))
    started = admin_client.post(f"/segments/{dormant}/export")
    export_id = int(re.search(r"/exports/(\d+)", started.get_data(as_text=True)).group(1))
    assert exported_names(factory, tenant, tmp_path, export_id) == {"沉睡乙"}
