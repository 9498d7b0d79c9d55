"""Churn, repeat purchase and the forecast, against scenes with known answers, for the admin, a supervisor and a
rep, with filters; the list behind each count has exactly that many rows."""
from decimal import Decimal

import pytest

from tests.blueprints.pools.helpers import release
from tests.blueprints.reports.target_scene import (
    MONTH,
    as_user,
    at,
    company,
    count_rows,
    customer,
    deal,
    scope_of,
)


@pytest.fixture
def people(tenant, factory):
    return company(factory, tenant)


def build(factory, tenant, user_id, key, **kwargs):
    """``(rows by first column, totals)`` of report ``key`` as ``user_id`` reads it, after checking that every
    counted cell's list has as many rows as the cell says."""
    from crm_saas.blueprints.reports.services.registry import all_measures, get_report

    def run(user):
        scope = scope_of(user, **kwargs)
        report = get_report(key)
        result = report.build(scope)
        measures = all_measures()
        for (index, column), (measure, params) in result.drill.items():
            row = result.totals if index == "total" else result.rows[index]
            if report.column(column).kind == "int":
                assert count_rows(measures[measure].statement(scope, **params)) == row[column], (index, column)
        first = report.columns[0].key
        return {str(row[first]): row for row in result.rows}, result.totals

    return as_user(factory, tenant, user_id, run)


def become_lost(factory, tenant, customer_id, actor_id, on):
    """Change the customer's type to lost through the customer service (which logs it), dated ``on``."""
    from sqlalchemy import update

    from crm_saas.blueprints.customers.models import Customer, CustomerChange
    from crm_saas.blueprints.customers.services import update_customer
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    def run():
        update_customer(db.session.get(Customer, customer_id), {"type": "lost"}, actor=db.session.get(User, actor_id))
        db.session.execute(update(CustomerChange).where(CustomerChange.customer_id == customer_id,
                                                        CustomerChange.field == "type").values(at=at(on)))
        db.session.commit()

    factory._run(tenant, run)


def test_churn_by_owner_with_the_share_of_their_customers(tenant, factory, people):
    a = [customer(factory, tenant, people["rep_a"], f"甲{i}") for i in range(4)]
    c = [customer(factory, tenant, people["rep_c"], f"丙{i}") for i in range(2)]
    b = customer(factory, tenant, people["rep_b"], "乙公司")
    become_lost(factory, tenant, a[0], people["rep_a"], MONTH.replace(day=15))
    become_lost(factory, tenant, a[1], people["rep_a"], MONTH.replace(month=2, day=15))  # February: not March's
    become_lost(factory, tenant, c[0], people["rep_c"], MONTH.replace(day=31))
    become_lost(factory, tenant, b, people["rep_b"], MONTH.replace(day=2))
    release(factory, tenant, b, people["rep_b"])  # lost, then given back to the pool

    rows, totals = build(factory, tenant, people["admin"], "churn")
    assert {name: (r["churned"], r["customers"], r["churn_rate"]) for name, r in rows.items()} == {
        "Rep A": (1, 4, Decimal("25.0")), "Rep C": (1, 2, Decimal("50.0")), "In a pool": (1, 1, Decimal("100.0"))}
    assert (totals["churned"], totals["customers"], totals["churn_rate"]) == (3, 7, Decimal("42.9"))

    rows, totals = build(factory, tenant, people["boss"], "churn")  # rep_c's and the pool's are out of sight
    assert set(rows) == {"Rep A"} and (totals["churned"], totals["customers"]) == (1, 4)
    rows, totals = build(factory, tenant, people["rep_c"], "churn")
    assert set(rows) == {"Rep C"} and totals["churn_rate"] == Decimal("50.0")
    rows, _totals = build(factory, tenant, people["admin"], "churn", team_id=people["boss2"])
    assert set(rows) == {"Rep C"}
    rows, _totals = build(factory, tenant, people["admin"], "churn", first=MONTH.replace(month=2))
    assert set(rows) == {"Rep A"}


def test_repeat_purchase(tenant, factory, people):
    def won(customer_id, owner, amount, month, day):
        deal(factory, tenant, customer_id, owner, amount, on=MONTH.replace(month=month, day=day))

    x, y, z, w, u = (customer(factory, tenant, people["rep_a"], name) for name in "XYZWU")
    v = customer(factory, tenant, people["rep_c"], "V")
    won(x, people["rep_a"], "1000", 2, 10)
    won(x, people["rep_a"], "2000", 3, 10)  # X: two wins up to March's end, one in March
    won(y, people["rep_a"], "500", 3, 5)
    won(y, people["rep_a"], "700", 3, 20)  # Y: both in March
    won(z, people["rep_a"], "300", 3, 10)  # Z: one win: a customer with a win, not a repeat
    won(w, people["rep_a"], "100", 1, 10)
    won(w, people["rep_a"], "100", 2, 10)  # W: repeat, but nothing won in March
    won(u, people["rep_a"], "400", 3, 10)
    won(u, people["rep_a"], "400", 4, 2)  # U: the second win is after March
    deal(factory, tenant, z, people["rep_a"], "9999", stage=1)  # an open deal counts for nothing
    won(v, people["rep_c"], "1", 2, 1)
    won(v, people["rep_c"], "5000", 3, 2)

    rows, totals = build(factory, tenant, people["admin"], "repeat-purchase")
    got = {name: (r["repeat_customers"], r["repeat_amount"], r["won_customers"], r["repeat_share"])
           for name, r in rows.items()}
    assert got == {"Rep A": (2, Decimal("3200.00"), 4, Decimal("50.0")),
                   "Rep C": (1, Decimal("5000.00"), 1, Decimal("100.0"))}
    assert (totals["repeat_customers"], totals["repeat_amount"], totals["won_customers"], totals["repeat_share"]) == (
        3, Decimal("8200.00"), 5, Decimal("60.0"))
    rows, totals = build(factory, tenant, people["boss"], "repeat-purchase")
    assert set(rows) == {"Rep A"} and totals["repeat_customers"] == 2
    rows, _totals = build(factory, tenant, people["admin"], "repeat-purchase", owner_id=people["rep_c"])
    assert set(rows) == {"Rep C"}
    rows, _totals = build(factory, tenant, people["admin"], "repeat-purchase", first=MONTH.replace(month=2))
    # February: W's second win was then (a repeat); X and V had their first.
    assert {name: (r["repeat_customers"], r["won_customers"]) for name, r in rows.items()} == {
        "Rep A": (1, 2), "Rep C": (0, 1)}


def test_forecast_weights_by_probability_rounding_half_up(tenant, factory, people):
    from datetime import date

    a = customer(factory, tenant, people["rep_a"], "甲公司")
    c = customer(factory, tenant, people["rep_c"], "丙公司")

    def open_deal(owner, customer_id, amount, expected, probability, stage=1):
        deal_id = deal(factory, tenant, customer_id, owner, amount, stage=stage, expected_close=expected)
        factory.set_deal(tenant, deal_id, probability=probability)

    open_deal(people["rep_a"], a, "1000.05", date(2026, 3, 15), 25)  # 250.0125
    open_deal(people["rep_a"], a, "333.33", date(2026, 3, 31), 50)  # 166.665: March 416.6775 -> 416.68
    open_deal(people["rep_a"], a, "100.01", date(2026, 5, 1), None, stage=2)  # the stage's 50%: 50.005 -> 50.01
    open_deal(people["rep_a"], a, "200", None, 10)  # no date: 20.00
    open_deal(people["rep_a"], a, "50", date(2026, 2, 28), 50)  # before the window
    open_deal(people["rep_a"], a, "50", date(2026, 9, 1), 50)  # after it
    deal(factory, tenant, a, people["rep_a"], "70", expected_close=date(2026, 3, 20))  # won: not open
    open_deal(people["rep_c"], c, "999", date(2026, 4, 30), 100)

    rows, totals = build(factory, tenant, people["admin"], "forecast")
    assert list(rows) == ["2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "No expected close date"]
    assert (rows["2026-03"]["deals"], rows["2026-03"]["amount"], rows["2026-03"]["weighted"]) == (
        2, Decimal("1333.38"), Decimal("416.68"))
    assert rows["2026-05"]["weighted"] == Decimal("50.01")
    assert (rows["2026-04"]["deals"], rows["2026-04"]["weighted"]) == (1, Decimal("999.00"))
    assert (rows["2026-06"]["deals"], rows["2026-06"]["weighted"]) == (0, Decimal("0.00"))
    assert (rows["No expected close date"]["deals"], rows["No expected close date"]["weighted"]) == (1, Decimal("20.00"))
    assert (totals["deals"], totals["amount"], totals["weighted"]) == (5, Decimal("2632.39"), Decimal("1485.69"))
    rows, totals = build(factory, tenant, people["boss"], "forecast")  # rep_c's deal is out of sight
    assert rows["2026-04"]["deals"] == 0 and totals["weighted"] == Decimal("486.69")
    rows, _totals = build(factory, tenant, people["rep_a"], "forecast", first=MONTH.replace(month=5, day=6),
                          range_="week")
    assert list(rows)[0] == "2026-05" and rows["2026-05"]["weighted"] == Decimal("50.01")
