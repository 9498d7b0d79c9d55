"""Sales by rep and by team: won amount and count, win rate, average deal size and sales cycle, under the one
visibility rule, against a scene whose every figure is known."""
from decimal import Decimal

import pytest

from tests.blueprints.reports.report_scenes import (
    at,
    cell_link,
    closed,
    measure_count,
    records_total,
    report,
    rows_by,
    signed_in,
    table_rows,
    team,
    totals_row,
)


@pytest.fixture
def scene(tenant, factory):
    """March 2025, China time:

    - ana: 3 won (1,000, 2,000, 3,000; created 10, 20 and 30 days before the win: cycle 20.0) and 5 lost:
      37.5% of 8 closed; one more won in February, outside the period;
    - ben (浙江省 杭州市): 1 won (500, 4 days) and 1 lost: 50.0%;
    - cai: 2 won of 100 (2 and 4 days: 3.0), one of them at 00:30 on 1 March China time (still February in UTC);
      a third at 00:30 on 1 April (still March in UTC), outside;
    - dan (another team): 1 won (700, 6 days) and 1 lost.
    """
    ids = team(factory, tenant)
    for amount, days in (("1000", 10), ("2000", 20), ("3000", 30)):
        closed(factory, tenant, ids["ana"], "won", amount=amount, created=at(3, 31 - days), closed_at=at(3, 31))
    for _ in range(5):
        closed(factory, tenant, ids["ana"], "lost")
    closed(factory, tenant, ids["ana"], "won", amount="9999", created=at(2, 1), closed_at=at(2, 20))
    zhejiang = {"province": "浙江省", "city": "杭州市"}
    closed(factory, tenant, ids["ben"], "won", amount="500", created=at(3, 6), closed_at=at(3, 10), **zhejiang)
    closed(factory, tenant, ids["ben"], "lost", **zhejiang)
    closed(factory, tenant, ids["cai"], "won", amount="100", created=at(2, 27, 0, 30), closed_at=at(3, 1, 0, 30))
    closed(factory, tenant, ids["cai"], "won", amount="100", created=at(3, 16), closed_at=at(3, 20))
    closed(factory, tenant, ids["cai"], "won", amount="100", created=at(3, 20), closed_at=at(4, 1, 0, 30))
    closed(factory, tenant, ids["dan"], "won", amount="700", created=at(3, 4), closed_at=at(3, 10))
    closed(factory, tenant, ids["dan"], "lost")
    return ids


def figures(row):
    return (row["won_count"], row["won_amount"], row["lost_count"], row["win_rate"], row["average_deal"],
            row["sales_cycle"])


ANA = (3, Decimal("6000.00"), 5, Decimal("37.5"), Decimal("2000.00"), Decimal("20.0"))
BEN = (1, Decimal("500.00"), 1, Decimal("50.0"), Decimal("500.00"), Decimal("4.0"))
CAI = (2, Decimal("200.00"), 0, Decimal("100.0"), Decimal("100.00"), Decimal("3.0"))
DAN = (1, Decimal("700.00"), 1, Decimal("50.0"), Decimal("700.00"), Decimal("6.0"))


def test_the_admin_sees_every_rep_and_a_total_of_everything(tenant, factory, scene):
    result = report(factory, tenant, "sales-by-owner", scene["admin"])
    rows = rows_by(result, "owner")
    assert {name: figures(row) for name, row in rows.items()} == {"Ana": ANA, "Ben": BEN, "Cai": CAI, "Dan": DAN}
    assert figures(result.totals) == (7, Decimal("7400.00"), 7, Decimal("50.0"), Decimal("1057.14"), Decimal("10.9"))


def test_a_depth_two_supervisor_and_a_rep_count_only_what_they_may_see(tenant, factory, scene):
    mid = report(factory, tenant, "sales-by-owner", scene["mid"])
    assert {name: figures(row) for name, row in rows_by(mid, "owner").items()} == {"Ana": ANA, "Ben": BEN}
    assert figures(mid.totals)[:4] == (4, Decimal("6500.00"), 6, Decimal("40.0"))
    ana = report(factory, tenant, "sales-by-owner", scene["ana"])
    assert list(rows_by(ana, "owner")) == ["Ana"] and figures(ana.totals) == ANA


def test_filters_narrow_by_owner_team_and_region(tenant, factory, scene):
    by_owner = report(factory, tenant, "sales-by-owner", scene["admin"], owner_id=str(scene["cai"]))
    assert list(rows_by(by_owner, "owner")) == ["Cai"] and figures(by_owner.totals) == CAI
    by_team = report(factory, tenant, "sales-by-owner", scene["admin"], team_id=str(scene["mid"]))
    assert set(rows_by(by_team, "owner")) == {"Ana", "Ben"}
    region = report(factory, tenant, "sales-by-owner", scene["admin"], province="浙江省", city="杭州市")
    assert list(rows_by(region, "owner")) == ["Ben"] and figures(region.totals) == BEN
    # A supervisor filtering by a team outside their sight learns nothing about it.
    hidden = report(factory, tenant, "sales-by-owner", scene["mid"], team_id=str(scene["other"]))
    assert hidden.rows == [] and hidden.totals["won_count"] == 0
    # February holds only ana's other win.
    february = report(factory, tenant, "sales-by-owner", scene["admin"], **{"from": "2025-02-01"})
    assert [figures(row)[:2] for row in february.rows] == [(1, Decimal("9999.00"))]


def test_teams_nest_and_the_total_counts_each_deal_once(tenant, factory, scene):
    result = report(factory, tenant, "sales-by-team", scene["admin"])
    teams = {name: figures(row)[:3] for name, row in rows_by(result, "team").items()}
    assert teams == {"Admin's team": (7, Decimal("7400.00"), 7), "Boss's team": (6, Decimal("6700.00"), 6), "Mid's team": (4, Decimal("6500.00"), 6),
                     "Other's team": (1, Decimal("700.00"), 1)}
    assert figures(result.totals)[:3] == (7, Decimal("7400.00"), 7)  # not the sum of the rows


def test_a_supervisors_team_total_is_the_sum_of_what_they_may_see(tenant, factory, scene):
    result = report(factory, tenant, "sales-by-team", scene["mid"])
    assert {name: figures(row)[:4] for name, row in rows_by(result, "team").items()} == {
        "Mid's team": (4, Decimal("6500.00"), 6, Decimal("40.0"))}
    assert figures(result.totals)[:3] == (4, Decimal("6500.00"), 6)
    boss = report(factory, tenant, "sales-by-team", scene["boss"], team_id=str(scene["mid"]))
    assert list(rows_by(boss, "team")) == ["Mid's team"]
    assert report(factory, tenant, "sales-by-team", scene["ana"]).rows == []  # a rep leads no team


def test_each_count_links_to_exactly_that_many_deals(tenant, factory, scene):
    for key, column in (("sales-by-owner", "owner"), ("sales-by-team", "team")):
        for viewer in ("admin", "mid"):
            result = report(factory, tenant, key, scene[viewer])
            for index, row in enumerate(result.rows):
                for cell in ("won_count", "lost_count"):
                    drill = result.drill[(index, cell)]
                    assert measure_count(factory, tenant, scene[viewer], drill) == row[cell], (key, row[column])
            for cell in ("won_count", "lost_count"):
                drill = result.drill[("total", cell)]
                assert measure_count(factory, tenant, scene[viewer], drill) == result.totals[cell]


def test_the_page_shows_the_figures_and_the_links_open_the_deals(tenant, factory, scene, client_for):
    client = signed_in(client_for, tenant, "mid")
    page = client.get("/reports/sales-by-owner?range=month&from=2025-03-01")
    assert page.status_code == 200
    rows = table_rows(page.text)
    assert rows[0] == ["Ana", "3", "CN¥6,000.00", "5", "37.5%", "CN¥2,000.00", "20.0"]  # biggest amount first
    assert rows[1][0] == "Ben" and len(rows) == 2
    assert totals_row(page.text)[:5] == ["Total", "4", "CN¥6,500.00", "6", "40.0%"]
    assert records_total(client, cell_link(page.text, "Ana", 1)) == 3
    assert records_total(client, cell_link(page.text, "Ana", 3)) == 5
    teams = client.get("/reports/sales-by-team?range=month&from=2025-03-01")
    assert records_total(client, cell_link(teams.text, "Mid's team", 3)) == 6
