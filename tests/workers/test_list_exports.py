"""Deal and follow-up lists export too (issue 16.5): the workbook holds exactly the rows the list shows, the
visible ones that its filters match, for whoever asks (a supervisor sees their team's, never a colleague's)."""
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from tests.conftest import STAFF_PASSWORD, login
from tests.workers.report_scene import run_and_download

SH = ZoneInfo("Asia/Shanghai")


def team(factory, tenant):
    """Admin > supervisor 王 > rep 赵; rep 钱 straight under the admin (out of 王's sight); all read English."""
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "wang", role="supervisor", name="王主管", superior_id=admin)
    rep = factory.user(tenant, "zhao", name="赵销售", superior_id=boss)
    other = factory.user(tenant, "qian", name="钱销售", superior_id=admin)

    def in_english():  # the worker writes in the requester's language: English here, for the headers' sake
        from sqlalchemy import update

        from crm_saas.core.users import User
        from crm_saas.extensions import db

        db.session.execute(update(User).values(locale="en"))
        db.session.commit()

    factory._run(tenant, in_english)
    return admin, boss, rep, other


def signed_in(client_for, tenant, username):
    client = client_for(tenant)
    assert login(client, username, STAFF_PASSWORD).status_code == 302
    return client


def export_id(response):
    assert response.status_code == 200, response.text
    return int(re.search(r"/exports/(\d+)", response.text).group(1))


def sheet_rows(response):
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return rows[0], rows[1:]


def listed_deals(client, **filters):
    page = client.get("/deals/", query_string=filters)
    return re.findall(r'<a href="/deals/\d+">([^<]+)</a>', page.text)


def test_the_deal_export_holds_the_visible_deals_the_filters_match(app, tenant, factory, client_for):
    _admin, boss, rep, other = team(factory, tenant)
    mine = factory.customer(tenant, rep, name="赵的客户", phone="13900000011")
    theirs = factory.customer(tenant, other, name="钱的客户", phone="13900000012")
    own = factory.customer(tenant, boss, name="王的客户", phone="13900000013")
    for name, amount in (("小单", "100"), ("中单", "2000.50"), ("大单", "50000")):
        factory.deal(tenant, mine, rep, name=name, amount=amount)
    factory.deal(tenant, theirs, other, name="看不见的单", amount="90000")
    factory.deal(tenant, own, boss, name="主管的单", amount="3000")

    client = signed_in(client_for, tenant, "wang")
    filters = {"amount_min": "1000", "sort": "-amount"}
    shown = listed_deals(client, **filters)
    assert shown == ["大单", "主管的单", "中单"]  # the list: visible, filtered, largest first
    header, rows = sheet_rows(run_and_download(app, tenant, client,
                                               export_id(client.post("/exports/deals", data=filters))))
    assert header[:4] == ["Deal name", "Customer", "Stage", "Expected amount"]
    assert [row[0] for row in rows] == shown  # the same rows, in the same order
    assert [row[3] for row in rows] == [50000, 3000, 2000.5]  # amounts as numbers
    assert {row[6] for row in rows} == {"赵销售", "王主管"}

    searched = {"q": "主管", "team": str(boss)}
    _header, rows = sheet_rows(run_and_download(app, tenant, client,
                                                export_id(client.post("/exports/deals", data=searched))))
    assert [row[0] for row in rows] == listed_deals(client, **searched) == ["主管的单"]


def test_reps_may_not_export_lists_and_see_no_button(tenant, factory, client_for):
    team(factory, tenant)
    client = signed_in(client_for, tenant, "zhao")
    assert client.post("/exports/deals", data={}).status_code == 403
    assert client.post("/exports/activities", data={}).status_code == 403
    assert "/exports/deals" not in client.get("/deals/").text
    assert "/exports/activities" not in client.get("/activities/").text
    boss = signed_in(client_for, tenant, "wang")
    assert "/exports/deals" in boss.get("/deals/").text and "/exports/activities" in boss.get("/activities/").text


def follow_up(factory, tenant, author, customer_id, kind, days_ago, summary):
    """A follow-up written by ``author`` ``days_ago`` days before now."""
    from crm_saas.blueprints.activities.services import record_activity
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    when = datetime.now(SH) - timedelta(days=days_ago)

    def make():
        activity, _task = record_activity({"customer_id": customer_id, "type": kind, "summary": summary,
                                           "occurred_at": when.isoformat()}, actor=db.session.get(User, author))
        return activity.id

    return factory._run(tenant, make)


def test_the_follow_up_export_holds_the_visible_follow_ups_the_filters_match(app, tenant, factory, client_for):
    _admin, boss, rep, other = team(factory, tenant)
    mine = factory.customer(tenant, rep, name="赵的客户", phone="13900000021")
    theirs = factory.customer(tenant, other, name="钱的客户", phone="13900000022")
    follow_up(factory, tenant, rep, mine, "visit", 1, "上门拜访一")
    follow_up(factory, tenant, rep, mine, "visit", 3, "上门拜访二")
    follow_up(factory, tenant, rep, mine, "call", 2, "电话一")
    follow_up(factory, tenant, boss, mine, "visit", 2, "主管陪访")
    follow_up(factory, tenant, rep, mine, "visit", 40, "很久以前")
    follow_up(factory, tenant, other, theirs, "visit", 1, "看不见的拜访")

    client = signed_in(client_for, tenant, "wang")
    day = (datetime.now(SH) - timedelta(days=10)).date().isoformat()
    filters = {"type": "visit", "owner_id": str(rep), "from": day}
    header, rows = sheet_rows(run_and_download(app, tenant, client,
                                               export_id(client.post("/exports/activities", data=filters))))
    assert header[:5] == ["When", "Type", "Customer", "Deal", "Summary"]
    assert [row[4] for row in rows] == ["上门拜访一", "上门拜访二"]  # newest first, 赵's visits since the day
    assert {row[1] for row in rows} == {"Visit"} and {row[11] for row in rows} == {"赵销售"}
    assert all(isinstance(row[0], datetime) for row in rows)  # times as date cells
    page = client.get("/activities/", query_string=filters).text
    assert all(summary in page for summary in ("上门拜访一", "上门拜访二")) and "电话一" not in page

    _header, everything = sheet_rows(run_and_download(app, tenant, client,
                                                      export_id(client.post("/exports/activities", data={}))))
    assert sorted(row[4] for row in everything) == sorted(["上门拜访一", "上门拜访二", "电话一", "主管陪访", "很久以前"])
