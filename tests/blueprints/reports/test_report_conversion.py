"""Customer conversion: how customer types moved in the period, read from the change log, and the customers created
by the type they started as; for the admin, a depth-2 supervisor and a rep, with filters."""
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
    totals_row,
)


def log_type(factory, tenant, customer_id, old, new, when):
    """What a save that changed the type writes (customers/services/changes.py), at ``when``."""
    from crm_saas.blueprints.customers.models import CustomerChange
    from crm_saas.extensions import db

    run(factory, tenant, lambda: db.session.add(CustomerChange(
        customer_id=customer_id, at=when, actor_name="someone", action="updated", field="type", old=old, new=new)))


@pytest.fixture
def scene(tenant, factory):
    """March 2025:

    - c1 (ana) created 2 Mar as potential: → intent 5 Mar, → closed 20 Mar;
    - c2 (ana) created in January: → intent 8 Mar, → potential 9 Mar, → intent 12 Mar (one customer in a cell);
    - c3 (ben, 浙江省) created 3 Mar as intent, never changed;
    - c4 (dan) created in February: closed → lost 15 Mar;
    - c5 (cai) created 4 Mar as potential, → intent on 2 April (outside: but it started as potential);
    - c6 (ana): → intent on 25 Feb (outside).
    """
    ids = team(factory, tenant)
    c1 = customer(factory, tenant, ids["ana"], created=at(3, 2), type="closed")
    log_type(factory, tenant, c1, "potential", "intent", at(3, 5))
    log_type(factory, tenant, c1, "intent", "closed", at(3, 20))
    c2 = customer(factory, tenant, ids["ana"], created=at(1, 10), type="intent")
    log_type(factory, tenant, c2, "potential", "intent", at(3, 8))
    log_type(factory, tenant, c2, "intent", "potential", at(3, 9))
    log_type(factory, tenant, c2, "potential", "intent", at(3, 12))
    customer(factory, tenant, ids["ben"], created=at(3, 3), type="intent", province="浙江省", city="杭州市")
    c4 = customer(factory, tenant, ids["dan"], created=at(2, 1), type="lost")
    log_type(factory, tenant, c4, "closed", "lost", at(3, 15))
    c5 = customer(factory, tenant, ids["cai"], created=at(3, 4), type="intent")
    log_type(factory, tenant, c5, "potential", "intent", at(4, 2))
    c6 = customer(factory, tenant, ids["ana"], created=at(1, 3), type="intent")
    log_type(factory, tenant, c6, "potential", "intent", at(2, 25))
    return ids


def matrix(result):
    """``{type: (created, to potential, to intent, to closed, to lost)}``."""
    return {row["key"]: (row["created"], row["to_potential"], row["to_intent"], row["to_closed"], row["to_lost"])
            for row in result.rows}


def test_the_admin_reads_every_move_and_every_new_customer(tenant, factory, scene):
    result = report(factory, tenant, "conversion", scene["admin"])
    assert matrix(result) == {
        "potential": (2, None, 2, 0, 0),
        "intent": (1, 1, None, 1, 0),
        "closed": (0, 0, 0, None, 1),
        "lost": (0, 0, 0, 0, None),
    }
    totals = result.totals
    assert (totals["created"], totals["to_potential"], totals["to_intent"], totals["to_closed"], totals["to_lost"]) \
        == (3, 1, 2, 1, 1)


def test_a_supervisor_and_a_rep_see_their_customers_moves_only(tenant, factory, scene):
    mid = report(factory, tenant, "conversion", scene["mid"])
    assert matrix(mid)["potential"] == (1, None, 2, 0, 0) and matrix(mid)["intent"] == (1, 1, None, 1, 0)
    assert matrix(mid)["closed"] == (0, 0, 0, None, 0)
    ben = report(factory, tenant, "conversion", scene["ben"])
    assert matrix(ben)["intent"] == (1, 0, None, 0, 0) and ben.totals["created"] == 1
    assert sum(ben.totals[f"to_{t}"] for t in ("potential", "intent", "closed", "lost")) == 0


def test_filters(tenant, factory, scene):
    region = report(factory, tenant, "conversion", scene["admin"], province="浙江省")
    assert region.totals["created"] == 1 and region.totals["to_intent"] == 0
    dan = report(factory, tenant, "conversion", scene["admin"], owner_id=str(scene["dan"]))
    assert matrix(dan)["closed"] == (0, 0, 0, None, 1) and dan.totals["created"] == 0
    april = report(factory, tenant, "conversion", scene["admin"], **{"from": "2025-04-01"})
    assert matrix(april)["potential"] == (0, None, 1, 0, 0)


def test_each_count_links_to_exactly_that_many_customers(tenant, factory, scene):
    for viewer in ("admin", "mid", "ben"):
        result = report(factory, tenant, "conversion", scene[viewer])
        for (index, column), drill in result.drill.items():
            expected = result.totals[column] if index == "total" else result.rows[index][column]
            assert measure_count(factory, tenant, scene[viewer], drill) == expected, (viewer, index, column)


def test_the_page_shows_the_matrix(tenant, factory, scene, client_for):
    client = signed_in(client_for, tenant, "mid")
    page = client.get("/reports/conversion?range=month&from=2025-03-01")
    assert page.status_code == 200
    rows = table_rows(page.text)
    assert rows[0] == ["Potential customer", "1", "–", "2", "0", "0"]
    assert totals_row(page.text) == ["Total", "2", "1", "2", "1", "0"]
    assert records_total(client, cell_link(page.text, "Potential customer", 3)) == 2
