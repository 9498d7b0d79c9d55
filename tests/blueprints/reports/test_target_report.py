"""The ``targets`` report: achievement by person and by team for a month or a quarter, for the admin, a
supervisor and a rep, with filters; every actual opens a list with as many rows; statements do not grow."""
from decimal import Decimal

import pytest

from tests.blueprints.reports.target_scene import (
    MONTH,
    as_user,
    company,
    count_rows,
    customer,
    deal,
    follow_up,
    scope_of,
    target,
)


@pytest.fixture
def march(tenant, factory):
    people = company(factory, tenant)
    target(factory, tenant, "won_amount", 30000, user_id=people["rep_a"])
    target(factory, tenant, "won_amount", 20000, user_id=people["rep_b"])
    target(factory, tenant, "won_amount", 10000, user_id=people["rep_c"])
    target(factory, tenant, "follow_ups", 8, team_id=people["boss2"])
    a = customer(factory, tenant, people["rep_a"], "甲公司")
    b = customer(factory, tenant, people["rep_b"], "乙公司")
    c = customer(factory, tenant, people["rep_c"], "丙公司")
    deal(factory, tenant, a, people["rep_a"], "10000")
    deal(factory, tenant, b, people["rep_b"], "2500")
    deal(factory, tenant, c, people["rep_c"], "7000")
    for _ in range(2):
        follow_up(factory, tenant, c, people["rep_c"])
    return people


def report(factory, tenant, user_id, **kwargs):
    """``(rows by name, totals, drill counts ok)``: the report as ``user_id`` reads it, each actual's list counted."""
    from crm_saas.blueprints.reports.services.registry import all_measures, get_report

    def run(user):
        scope = scope_of(user, **kwargs)
        result = get_report("targets").build(scope)
        measures = all_measures()
        for (index, column), (measure, params) in result.drill.items():
            row = result.totals if index == "total" else result.rows[index]
            listed = count_rows(measures[measure].statement(scope, **params))
            figure = row[column]
            expected = {"won_amount_actual": None}.get(column, figure)
            if expected is not None:
                assert listed == expected, (row["name"], column)
        return {row["name"]: row for row in result.rows}, result.totals, [str(n) for n in result.notes]

    return as_user(factory, tenant, user_id, run)


def test_the_admin_reads_every_person_and_team(tenant, factory, march):
    rows, totals, notes = report(factory, tenant, march["admin"])
    assert set(rows) == {"Admin's team", "Boss's team", "Boss Two's team", "Rep A", "Rep B", "Rep C"}
    team = rows["Boss's team"]
    assert (team["kind"], team["won_amount_target"], team["won_amount_actual"], team["won_amount_percent"]) == (
        "Team", Decimal("50000.00"), Decimal("12500.00"), Decimal("25.0"))
    assert team["follow_ups_target"] is None and team["team_id"] == march["boss"]
    other = rows["Boss Two's team"]
    assert (other["follow_ups_target"], other["follow_ups_actual"], other["follow_ups_percent"]) == (
        Decimal(8), Decimal(2), Decimal("25.0"))
    assert rows["Admin's team"]["won_amount_target"] == Decimal("60000.00")
    assert (rows["Rep B"]["won_amount_actual"], rows["Rep B"]["won_amount_percent"]) == (Decimal("2500.00"), Decimal("12.5"))
    assert rows["Rep A"]["kind"] == "Person" and rows["Rep A"]["user_id"] == march["rep_a"]
    assert (totals["name"], totals["won_amount_target"], totals["won_amount_actual"], totals["won_amount_percent"]) == (
        "Whole company", Decimal("60000.00"), Decimal("19500.00"), Decimal("32.5"))
    assert notes == ["Targets and results of 2026-03."]


def test_a_supervisor_reads_their_team_and_a_rep_themself(tenant, factory, march):
    rows, totals, _notes = report(factory, tenant, march["boss"])
    assert set(rows) == {"Boss's team", "Rep A", "Rep B"}
    assert (totals["name"], totals["won_amount_target"], totals["won_amount_actual"]) == (
        "Boss's team", Decimal("50000.00"), Decimal("12500.00"))
    rows, totals, _notes = report(factory, tenant, march["rep_a"])
    assert set(rows) == {"Rep A"} and totals["name"] == "Rep A"
    assert rows["Rep A"]["won_amount_percent"] == Decimal("33.3")


def test_filters_and_the_period(tenant, factory, march):
    rows, totals, _notes = report(factory, tenant, march["admin"], team_id=march["boss"])
    assert set(rows) == {"Boss's team", "Rep A", "Rep B"} and totals["name"] == "Boss's team"
    rows, totals, _notes = report(factory, tenant, march["admin"], owner_id=march["boss"])
    assert rows == {} and totals["name"] == "Boss"  # an owner filter names one person: no team rows
    rows, _totals, notes = report(factory, tenant, march["admin"], owner_id=march["rep_c"], province="上海市")
    assert set(rows) == {"Rep C"} and rows["Rep C"]["won_amount_actual"] == Decimal("7000.00")
    assert notes[1] == "Targets are not set per region: the province and city filters do not apply here."
    rows, _totals, notes = report(factory, tenant, march["admin"], first=MONTH.replace(day=20), range_="week")
    assert rows["Rep A"]["won_amount_actual"] == Decimal("10000.00")  # the whole month, not the week
    rows, _totals, notes = report(factory, tenant, march["admin"], range_="quarter")
    assert rows == {} and notes[0] == "Targets and results of 2026-Q1."


def test_statements_do_not_grow_with_rows(tenant, factory, march, count_queries):
    from crm_saas.blueprints.reports.services.registry import get_report

    def statements(user):
        scope = scope_of(user)
        get_report("targets").build(scope)
        with count_queries() as sent:
            get_report("targets").build(scope)
        return len(sent)

    few = as_user(factory, tenant, march["admin"], statements)
    for i in range(5):
        lead = factory.user(tenant, f"lead{i}", role="supervisor", superior_id=march["boss2"])
        rep = factory.user(tenant, f"rep{i}", superior_id=lead)
        target(factory, tenant, "won_amount", 1000, user_id=rep)
        deal(factory, tenant, customer(factory, tenant, rep, f"客户{i}"), rep, "100")
    assert as_user(factory, tenant, march["admin"], statements) == few <= 6
