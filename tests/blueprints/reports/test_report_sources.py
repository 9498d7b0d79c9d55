"""Source effectiveness: per customer source, new customers, new deals, deals won and their amount, win rate; for
the admin, a depth-2 supervisor and a rep, with filters."""
from decimal import Decimal

import pytest

from tests.blueprints.reports.report_scenes import (
    at,
    cell_link,
    customer,
    deal,
    measure_count,
    records_total,
    report,
    signed_in,
    table_rows,
    team,
)


@pytest.fixture
def scene(tenant, factory):
    """March 2025:

    - ana: two referral customers added in March, one deal each (created in March: one won 1,000, one lost);
      an exhibition customer added in February, with a deal created in February and won in March (2,000) and
      an open one created in March;
    - ben (浙江省): an online-inquiry customer added in March, its deal created and won (500) in March;
    - dan: a referral customer added in March, its deal created and lost in March.
    """
    ids = team(factory, tenant)

    def add(owner, source, created, **values):
        return customer(factory, tenant, ids[owner], source=source, created=created, **values)

    def sell(owner, customer_id, created, path=(), amount="1000"):
        return deal(factory, tenant, ids[owner], customer_id, created=created, path=list(path), amount=amount,
                    lost_reason="价格太高")

    r1, r2 = add("ana", "referral", at(3, 2)), add("ana", "referral", at(3, 3))
    sell("ana", r1, at(3, 5), [("won", at(3, 20))])
    sell("ana", r2, at(3, 6), [("lost", at(3, 12))])
    fair = add("ana", "exhibition", at(2, 1))
    sell("ana", fair, at(2, 10), [("won", at(3, 15))], amount="2000")
    sell("ana", fair, at(3, 1))
    web = add("ben", "online_inquiry", at(3, 2), province="浙江省", city="杭州市")
    sell("ben", web, at(3, 3), [("won", at(3, 9))], amount="500")
    sell("dan", add("dan", "referral", at(3, 1)), at(3, 2), [("lost", at(3, 3))])
    return ids


def figures(result):
    return {row["key"]: (row["new_customers"], row["new_deals"], row["won_count"], row["won_amount"],
                         row["lost_count"], row["win_rate"]) for row in result.rows}


D = Decimal


def test_the_admin_reads_every_source(tenant, factory, scene):
    result = report(factory, tenant, "sources", scene["admin"])
    assert figures(result) == {
        "online_inquiry": (1, 1, 1, D("500.00"), 0, D("100.0")),
        "exhibition": (0, 1, 1, D("2000.00"), 0, D("100.0")),
        "referral": (3, 3, 1, D("1000.00"), 2, D("33.3")),
    }
    assert [row["key"] for row in result.rows] == ["online_inquiry", "exhibition", "referral"]  # the codes' order
    totals = result.totals
    assert (totals["new_customers"], totals["new_deals"], totals["won_count"], totals["won_amount"],
            totals["lost_count"], totals["win_rate"]) == (4, 5, 3, D("3500.00"), 2, D("60.0"))


def test_a_supervisor_and_a_rep_count_their_own(tenant, factory, scene):
    mid = report(factory, tenant, "sources", scene["mid"])
    assert figures(mid)["referral"] == (2, 2, 1, D("1000.00"), 1, D("50.0"))
    assert mid.totals["win_rate"] == D("75.0")
    ben = report(factory, tenant, "sources", scene["ben"])
    assert figures(ben) == {"online_inquiry": (1, 1, 1, D("500.00"), 0, D("100.0"))}


def test_filters(tenant, factory, scene):
    region = report(factory, tenant, "sources", scene["admin"], province="浙江省", city="杭州市")
    assert list(figures(region)) == ["online_inquiry"]
    dan = report(factory, tenant, "sources", scene["admin"], owner_id=str(scene["dan"]))
    assert figures(dan) == {"referral": (1, 1, 0, D("0.00"), 1, D("0.0"))}
    team_mid = report(factory, tenant, "sources", scene["admin"], team_id=str(scene["mid"]))
    assert figures(team_mid) == figures(report(factory, tenant, "sources", scene["mid"]))


def test_each_count_links_to_exactly_that_many_records(tenant, factory, scene):
    for viewer in ("admin", "mid", "ben"):
        result = report(factory, tenant, "sources", scene[viewer])
        for (index, column), drill in result.drill.items():
            if column == "won_amount":
                column = "won_count"  # the amount opens the deals won
            expected = result.totals[column] if index == "total" else result.rows[index][column]
            assert measure_count(factory, tenant, scene[viewer], drill) == expected, (viewer, index, column)


def test_the_page(tenant, factory, scene, client_for):
    client = signed_in(client_for, tenant, "admin")
    page = client.get("/reports/sources?range=month&from=2025-03-01")
    assert page.status_code == 200
    assert ["Referral", "3", "3", "1", "CN¥1,000.00", "2", "33.3%", "–", "–"] in table_rows(page.text)  # no cost, ROI
    assert records_total(client, cell_link(page.text, "Referral", 2)) == 3
