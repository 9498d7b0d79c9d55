"""The follow-up list (/activities/): every follow-up the viewer sees, newest first, filtered by type, author,
team and days, 50 a page, in a fixed number of statements however many rows it shows."""
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.workers.test_list_exports import follow_up, signed_in, team

SH = ZoneInfo("Asia/Shanghai")


def summaries(html):
    return re.findall(r'<td class="prewrap">([^<]*)</td>', html)


def test_the_list_shows_what_the_viewer_sees_with_its_filters(tenant, factory, client_for):
    _admin, boss, rep, other = team(factory, tenant)
    mine = factory.customer(tenant, rep, name="赵的客户", phone="13900000031")
    theirs = factory.customer(tenant, other, name="钱的客户", phone="13900000032")
    follow_up(factory, tenant, rep, mine, "visit", 1, "拜访一")
    follow_up(factory, tenant, rep, mine, "call", 2, "电话一")
    follow_up(factory, tenant, boss, mine, "visit", 3, "主管陪访")
    follow_up(factory, tenant, rep, mine, "email", 20, "旧邮件")
    follow_up(factory, tenant, other, theirs, "visit", 1, "看不见的拜访")

    client = signed_in(client_for, tenant, "wang")
    page = client.get("/activities/")
    assert page.status_code == 200 and "4 follow-ups" in page.text
    assert summaries(page.text) == ["拜访一", "电话一", "主管陪访", "旧邮件"]  # newest first; not 钱's
    assert summaries(client.get("/activities/?type=visit").text) == ["拜访一", "主管陪访"]
    assert summaries(client.get(f"/activities/?owner_id={rep}").text) == ["拜访一", "电话一", "旧邮件"]
    assert summaries(client.get(f"/activities/?team={rep}").text) == ["拜访一", "电话一", "旧邮件"]
    today = datetime.now(SH).date()
    window = {"from": (today - timedelta(days=10)).isoformat(), "to": (today - timedelta(days=2)).isoformat()}
    assert summaries(client.get("/activities/", query_string=window).text) == ["电话一", "主管陪访"]
    assert summaries(client.get(f"/activities/?customer_id={theirs}").text) == []  # a hidden customer: nothing

    fragment = client.get("/activities/?type=call", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<section id="follow-up-results">')  # the partial swaps itself

    rep_client = signed_in(client_for, tenant, "zhao")
    assert summaries(rep_client.get("/activities/").text) == ["拜访一", "电话一", "主管陪访", "旧邮件"]  # their customer's
    qian = signed_in(client_for, tenant, "qian")
    assert summaries(qian.get("/activities/").text) == ["看不见的拜访"]


def test_fifty_a_page_in_a_fixed_number_of_statements(app, tenant, factory, client_for, count_queries):
    from crm_saas.blueprints.activities.models import Activity
    from crm_saas.extensions import db

    _admin, _boss, rep, _other = team(factory, tenant)
    customers = [factory.customer(tenant, rep, name=f"客户{i}", phone=f"1390000{i:04d}") for i in range(3)]
    follow_up(factory, tenant, rep, customers[0], "call", 1, "第一条")
    client = signed_in(client_for, tenant, "zhao")
    client.get("/activities/")  # warm: the person's settings, the session
    with count_queries() as few:
        assert len(summaries(client.get("/activities/").text)) == 1

    def more():  # 50 more, straight into the table (the rules are the form's tests')
        template = db.session.query(Activity).one()
        for i in range(50):
            db.session.add(Activity(customer_id=customers[i % 3], type="visit", summary=f"记录{i}",
                                    occurred_at=template.occurred_at - timedelta(hours=i + 1),
                                    created_by_id=template.created_by_id))
        db.session.commit()

    factory._run(tenant, more)
    with count_queries() as many:
        first = client.get("/activities/").text
    assert "51 follow-ups" in first and len(summaries(first)) == 50
    assert len(many) == len(few)  # no statement per row
    second = client.get("/activities/?page=2").text
    assert summaries(second) == ["记录49"] and "page=1" in second
