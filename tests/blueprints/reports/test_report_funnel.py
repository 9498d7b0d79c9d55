"""The stage funnel from the stage history (D5): deals entering each stage, conversion to the next, average days
in each stage, where deals were lost and why; for the admin, a depth-2 supervisor and a rep."""
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
    rows_by,
    signed_in,
    table_rows,
    team,
)


@pytest.fixture
def scene(tenant, factory):
    """March 2025 (Initial contact, Needs analysis, Proposal, Negotiation, Won; Lost):

    - d1 (ana): created 1 Mar; needs 5 Mar (4 days in initial); proposal 9 Mar; won 20 Mar;
    - d2 (ana): created 1 Mar; needs 7 Mar (6 days); lost 10 Mar, 价格太高;
    - d3 (ben): created 2 Mar, still in initial contact (a stay not ended: no length yet);
    - d4 (ben): created 3 Mar; lost 8 Mar (5 days), 预算不足;
    - d5 (dan): created 20 Feb; proposal 4 Mar (skipping needs); negotiation 14 Mar;
    - d6 (cai): created 5 Mar; needs 10 Mar (5 days); lost 2 April (outside the period).
    """
    ids = team(factory, tenant)

    def make(owner, created, path, reason=None):
        return deal(factory, tenant, ids[owner], customer(factory, tenant, ids[owner]), created=created, path=path,
                    lost_reason=reason)

    make("ana", at(3, 1), [("needs_analysis", at(3, 5)), ("proposal", at(3, 9)), ("won", at(3, 20))])
    make("ana", at(3, 1), [("needs_analysis", at(3, 7)), ("lost", at(3, 10))], "价格太高")
    make("ben", at(3, 2), [])
    make("ben", at(3, 3), [("lost", at(3, 8))], "预算不足")
    make("dan", at(2, 20), [("proposal", at(3, 4)), ("negotiation", at(3, 14))])
    make("cai", at(3, 5), [("needs_analysis", at(3, 10)), ("lost", at(4, 2))], "价格太高")
    return ids


def stage_figures(result):
    stages = [row for row in result.rows if "group" not in row]
    return {row["stage"]: (row["entered"], row["converted"], row["conversion"], row["average_days"], row["lost"])
            for row in stages}


def reasons(result):
    return {row["stage"]: row["lost"] for row in result.rows if "group" in row}


D = Decimal


def test_the_admin_reads_entries_conversion_days_and_losses(tenant, factory, scene):
    result = report(factory, tenant, "funnel", scene["admin"])
    assert stage_figures(result) == {
        "Initial contact": (5, 3, D("60.0"), D("5.0"), 1),  # stays of 4, 6, 5 and 5 days
        "Needs analysis": (3, 1, D("33.3"), D("10.0"), 1),  # 4, 3 and 23 (d6 left in April)
        "Proposal": (2, 2, D("100.0"), D("10.5"), 0),  # d5 skipped needs analysis: it entered here
        "Negotiation": (1, 0, D("0.0"), None, 0),
        "Won": (1, None, None, None, 0),
    }
    assert list(stage_figures(result)) == ["Initial contact", "Needs analysis", "Proposal", "Negotiation", "Won"]
    assert reasons(result) == {"Lost: 价格太高": 1, "Lost: 预算不足": 1}
    assert result.totals["lost"] == 2


def test_a_supervisor_and_a_rep_count_their_own_deals_only(tenant, factory, scene):
    mid = report(factory, tenant, "funnel", scene["mid"])
    assert stage_figures(mid) == {
        "Initial contact": (4, 2, D("50.0"), D("5.0"), 1),  # 4, 6 and 5 days
        "Needs analysis": (2, 1, D("50.0"), D("3.5"), 1),
        "Proposal": (1, 1, D("100.0"), D("11.0"), 0),
        "Negotiation": (0, 0, None, None, 0),
        "Won": (1, None, None, None, 0),
    }
    ben = report(factory, tenant, "funnel", scene["ben"])
    assert stage_figures(ben)["Initial contact"] == (2, 0, D("0.0"), D("5.0"), 1)
    assert reasons(ben) == {"Lost: 预算不足": 1} and ben.totals["lost"] == 1


def test_owner_and_period_filters(tenant, factory, scene):
    dan = report(factory, tenant, "funnel", scene["admin"], owner_id=str(scene["dan"]))
    figures = stage_figures(dan)
    assert figures["Initial contact"][0] == 0 and figures["Proposal"][:3] == (1, 1, D("100.0"))
    april = report(factory, tenant, "funnel", scene["admin"], **{"from": "2025-04-01"})
    assert stage_figures(april)["Initial contact"][0] == 0
    assert rows_by(april, "stage")["Needs analysis"]["lost"] == 1 and reasons(april) == {"Lost: 价格太高": 1}


def test_each_count_links_to_exactly_that_many_deals(tenant, factory, scene):
    for viewer in ("admin", "mid", "ben"):
        result = report(factory, tenant, "funnel", scene[viewer])
        for (index, column), drill in result.drill.items():
            expected = result.totals[column] if index == "total" else result.rows[index][column]
            assert measure_count(factory, tenant, scene[viewer], drill) == expected, (viewer, index, column)


def test_the_page_lists_stages_then_lost_reasons_and_links_to_the_deals(tenant, factory, scene, client_for):
    client = signed_in(client_for, tenant, "mid")
    page = client.get("/reports/funnel?range=month&from=2025-03-01")
    assert page.status_code == 200
    rows = table_rows(page.text)
    assert rows[0] == ["Initial contact", "4", "2", "50.0%", "5.0", "1"]
    assert ["Lost reasons"] in rows and ["Lost: 价格太高", "–", "–", "–", "–", "1"] in rows
    assert records_total(client, cell_link(page.text, "Initial contact", 1)) == 4
    assert records_total(client, cell_link(page.text, "Needs analysis", 2)) == 1
    assert records_total(client, cell_link(page.text, "Lost: 价格太高", 5)) == 1
    assert 'data-chart=' in page.text and "funnel" in page.text
