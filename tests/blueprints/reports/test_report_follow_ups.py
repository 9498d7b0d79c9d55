"""Follow-up statistics per rep (跟进拜访统计): follow-ups by type, customers touched, forgotten customers (遗忘客户);
for the admin, a depth-2 supervisor and a rep, with filters and the ``days`` argument."""
from datetime import timedelta

import pytest

from tests.blueprints.reports.report_scenes import (
    at,
    cell_link,
    customer,
    measure_count,
    records_total,
    report,
    run,
    signed_in,
    table_rows,
    team,
)


def follow_up(factory, tenant, author, customer_id, kind, when):
    from crm_saas.blueprints.activities.models import Activity
    from crm_saas.extensions import db

    run(factory, tenant, lambda: db.session.add(Activity(
        customer_id=customer_id, type=kind, occurred_at=when, summary="跟进", created_by_id=author)))


def days_ago(days):
    from datetime import datetime, timezone

    return datetime.now(timezone.utc) - timedelta(days=days)


@pytest.fixture
def scene(tenant, factory):
    """Follow-ups in March 2025; forgotten customers as of now, 30 days by default:

    - ana: calls on c1 (2 and 5 Mar), a visit on c2 (10 Mar), a WeChat on c1 in February (outside);
      owns c1 (last contact 5 days ago), c2 (45 days ago: forgotten) and c5 (never contacted, added 100 days
      ago: forgotten);
    - ben: an email on his c3 (浙江省; never contacted, added 10 days ago) and a meeting on ana's c1, which he
      cannot see: it counts for those who see c1, not for him;
    - dan: a call on his c4 (3 Mar; last contact 31 days ago: forgotten).
    """
    ids = team(factory, tenant)
    c1 = customer(factory, tenant, ids["ana"], last_follow_up=days_ago(5))
    c2 = customer(factory, tenant, ids["ana"], last_follow_up=days_ago(45))
    customer(factory, tenant, ids["ana"], created=days_ago(100))
    c3 = customer(factory, tenant, ids["ben"], created=days_ago(10), province="浙江省", city="杭州市")
    c4 = customer(factory, tenant, ids["dan"], last_follow_up=days_ago(31))
    for author, customer_id, kind, when in (
            ("ana", c1, "call", at(3, 2)), ("ana", c1, "call", at(3, 5)), ("ana", c2, "visit", at(3, 10)),
            ("ana", c1, "wechat", at(2, 20)), ("ben", c3, "email", at(3, 3)), ("ben", c1, "meeting", at(3, 4)),
            ("dan", c4, "call", at(3, 3))):
        follow_up(factory, tenant, ids[author], customer_id, kind, when)
    return ids


def figures(row):
    """(call, visit, email, meeting, wechat, follow-ups, customers touched, forgotten)"""
    return tuple(row[key] for key in ("type_call", "type_visit", "type_email", "type_meeting", "type_wechat",
                                      "follow_ups", "customers", "forgotten"))


def by_rep(result):
    return {row["rep"]: figures(row) for row in result.rows}


def test_the_admin_reads_every_rep(tenant, factory, scene):
    result = report(factory, tenant, "follow-ups", scene["admin"])
    assert by_rep(result) == {"Ana": (2, 1, 0, 0, 0, 3, 2, 2), "Ben": (0, 0, 1, 1, 0, 2, 2, 0),
                              "Dan": (1, 0, 0, 0, 0, 1, 1, 1)}
    assert figures(result.totals) == (3, 1, 1, 1, 0, 6, 4, 3)  # c1 touched by two reps is one customer


def test_a_supervisor_and_a_rep_see_what_they_may(tenant, factory, scene):
    mid = report(factory, tenant, "follow-ups", scene["mid"])
    assert by_rep(mid) == {"Ana": (2, 1, 0, 0, 0, 3, 2, 2), "Ben": (0, 0, 1, 1, 0, 2, 2, 0)}
    assert figures(mid.totals) == (2, 1, 1, 1, 0, 5, 3, 2)
    ben = report(factory, tenant, "follow-ups", scene["ben"])
    assert by_rep(ben) == {"Ben": (0, 0, 1, 0, 0, 1, 1, 0)}  # his meeting on ana's customer is out of his sight


def test_days_and_filters(tenant, factory, scene):
    sixty = report(factory, tenant, "follow-ups", scene["admin"], days="60")
    assert {rep: row[-1] for rep, row in by_rep(sixty).items()} == {"Ana": 1, "Ben": 0, "Dan": 0}
    region = report(factory, tenant, "follow-ups", scene["admin"], province="浙江省")
    assert by_rep(region) == {"Ben": (0, 0, 1, 0, 0, 1, 1, 0)}
    dan = report(factory, tenant, "follow-ups", scene["admin"], owner_id=str(scene["dan"]))
    assert by_rep(dan) == {"Dan": (1, 0, 0, 0, 0, 1, 1, 1)}
    february = report(factory, tenant, "follow-ups", scene["admin"], **{"from": "2025-02-01"})
    assert by_rep(february)["Ana"][:6] == (0, 0, 0, 0, 1, 1)


def test_each_count_links_to_exactly_that_many_records(tenant, factory, scene):
    for viewer, args in (("admin", {}), ("mid", {}), ("ben", {}), ("admin", {"days": "60"})):
        result = report(factory, tenant, "follow-ups", scene[viewer], **args)
        for (index, column), drill in result.drill.items():
            expected = result.totals[column] if index == "total" else result.rows[index][column]
            assert measure_count(factory, tenant, scene[viewer], drill) == expected, (viewer, index, column)


def test_the_page_and_a_bad_days_value(tenant, factory, scene, client_for):
    client = signed_in(client_for, tenant, "mid")
    page = client.get("/reports/follow-ups?range=month&from=2025-03-01")
    assert page.status_code == 200
    rows = table_rows(page.text)
    assert rows[0] == ["Ana", "2", "1", "0", "0", "0", "3", "2", "2"]
    assert records_total(client, cell_link(page.text, "Ana", 8)) == 2  # the forgotten customers
    assert records_total(client, cell_link(page.text, "Ben", 7)) == 2  # the customers touched
    assert records_total(client, cell_link(page.text, "Ana", 1)) == 2  # the calls
    bad = client.get("/reports/follow-ups?range=month&from=2025-03-01&days=zero")
    assert bad.status_code == 422 and "Enter a whole number of days from 1 to 3650." in bad.text
    assert table_rows(bad.text)[0][-1] == "2"  # shown with the default 30 days meanwhile
