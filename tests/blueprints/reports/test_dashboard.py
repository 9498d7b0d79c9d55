"""The dashboard (issue 16.1): each card against a scene whose answer is known, for a rep, a supervisor two levels
up and the admin, with owner and team filters; the charts; the month and year boundaries in China time; the
first-run checklist above it; a fixed number of statements however many records it counts."""
import json
import re
from datetime import UTC, datetime
from html import unescape

import pytest
import time_machine

from tests.blueprints.customers.test_queries import statements
from tests.blueprints.reports.dashboard_helpers import EXPECTED, MARCH, at, cards, customer, deal, move, scene
from tests.conftest import ADMIN_PASSWORD, STAFF_PASSWORD, login

# The user and tenant, the cards (one statement), the pools that govern whom (default pool, pools, users), the
# default pipeline and its stages, four charts, targets, the tree for the pickers and the menu.
DASHBOARD_BUDGET = 24


@pytest.fixture
def company(tenant, factory):
    return scene(factory, tenant)


@pytest.fixture
def as_user(tenant, client_for):
    def sign_in(username):
        client = client_for(tenant)
        password = ADMIN_PASSWORD if username == "admin" else STAFF_PASSWORD
        assert login(client, username, password).status_code == 302
        return client

    return sign_in


def shown(client, **args):
    """``{card: (value, previous)}`` as the page shows them."""
    response = client.get("/dashboard", query_string=args)
    assert response.status_code == 200
    return {key: (value, previous) for key, (value, _url, previous, _purl) in cards(response.text).items()}


def expected(viewer):
    return {key: tuple(None if v is None else str(v) for v in pair) for key, pair in EXPECTED[viewer].items()}


def charts(html):
    return {match[0]: json.loads(unescape(match[1]))
            for match in re.findall(r'data-chart-key="(\w+)" role="img"[^>]*data-chart=\'([^\']*)\'', html)}


@pytest.mark.parametrize("viewer", ["rep1", "boss", "admin"])
def test_each_card_for_a_rep_a_supervisor_and_the_admin(company, as_user, viewer):
    assert shown(as_user(viewer), **MARCH) == expected(viewer)


def test_change_against_the_previous_period(company, as_user):
    page = as_user("admin").get("/dashboard", query_string=MARCH).text
    card = dict(re.findall(r'data-card="(\w+)".*?data-change="([-\d.]+)"', page, re.S))
    assert card["new_customers"] == "150.0"  # 5 against 2
    assert card["won_amount"] == "2966.8"  # 9200.50 against 300
    assert card["won_deals"] == "400.0"  # 5 against 1
    assert "▲ 150.0%" in page


def test_owner_and_team_filters(company, as_user):
    people = company["people"]
    admin, boss = as_user("admin"), as_user("boss")
    other = shown(admin, **MARCH, owner_id=people["other"])
    assert other["new_customers"] == ("2", "0") and other["won_amount"] == ("5000.00", "0.00")
    assert other["overdue_tasks"] == ("1", None) and other["returning_customers"] == ("1", None)
    team = shown(admin, **MARCH, team_id=people["lead"])  # lead and rep1
    assert team["new_customers"] == ("2", "2") and team["won_deals"] == ("3", "1")
    assert team["won_amount"] == ("2200.50", "300.00") and team["follow_ups"] == ("2", "1")
    # A supervisor filtering by a team outside their sight, or a person outside it, learns nothing.
    for args in ({"team_id": people["other"]}, {"owner_id": people["other"]}, {"owner_id": people["admin"]}):
        hidden = shown(boss, **MARCH, **args)
        assert {value for value, _previous in hidden.values()} <= {"0", "¥0.00", "0.00"}, hidden
    assert shown(boss, **MARCH, owner_id=people["rep2"])["won_amount"] == ("2000.00", "0.00")


def test_revenue_this_month_is_the_month_of_the_period_whatever_the_range(company, as_user):
    page = as_user("admin").get("/dashboard", query_string={"range": "week", "from": "2026-03-11"}).text
    found = cards(page)
    assert found["won_deals"][0] == "2"  # 9-15 March: d4 on the 10th, d1 on the 15th
    assert (found["revenue_month"][0], found["revenue_month"][2]) == ("9200.50", "300.00")
    assert "range=month&amp;from=2026-03-01" in page and "Revenue in 2026-03" in page


def test_the_charts(company, as_user):
    found = charts(as_user("admin").get("/dashboard", query_string=MARCH).text)
    funnel = found["funnel"]
    assert funnel["categories"] == ["Initial contact", "Needs analysis", "Proposal", "Negotiation", "Won"]
    assert funnel["series"][0]["data"] == [4, 1, 0, 0, 5]
    by_owner = found["won_by_owner"]
    assert by_owner["categories"] == ["Other", "Rep2", "Rep1", "Lead"]
    assert by_owner["series"][0]["data"] == ["5000.00", "2000.00", "1800.50", "400.00"]
    assert by_owner["series"][1]["data"] == [1, 1, 2, 1]
    assert found["sources"]["categories"] == ["Exhibition", "Online inquiry", "Referral"]
    assert found["sources"]["series"][0]["data"] == [3, 1, 1]
    trend = found["trend"]
    assert len(trend["categories"]) == 31 and trend["categories"][0] == "03-01"
    amounts = {trend["categories"][i]: value for i, value in enumerate(trend["series"][0]["data"]) if value != "0.00"}
    assert amounts == {"03-01": "400.00", "03-10": "5000.00", "03-15": "1000.50", "03-25": "2000.00",
                       "03-31": "800.00"}
    assert all(len(chart["urls"]) == len(chart["categories"]) for chart in found.values())
    rep = charts(as_user("rep1").get("/dashboard", query_string=MARCH).text)
    assert rep["funnel"]["series"][0]["data"] == [2, 1, 0, 0, 2]
    assert rep["won_by_owner"]["categories"] == ["Rep1"]


def test_a_quarter_is_drawn_per_week_and_a_long_period_per_month(company, as_user):
    admin = as_user("admin")
    quarter = charts(admin.get("/dashboard", query_string={"range": "quarter", "from": "2026-02-10"}).text)["trend"]
    assert quarter["unit"] == "week" and quarter["categories"][0] == "01-01" and len(quarter["categories"]) == 14
    assert quarter["series"][0]["data"][10] == "6000.50"  # the week of 9 March: d4 (5000) and d1 (1000.50)
    long = charts(admin.get("/dashboard", query_string={"from": "2026-01-01", "to": "2026-06-30"}).text)["trend"]
    assert long["categories"] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert long["series"][0]["data"][1:3] == ["300.00", "9200.50"]


def test_htmx_asks_for_the_body_only(company, as_user):
    response = as_user("admin").get("/dashboard", query_string=MARCH, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="dashboard-body"') and "<html" not in response.text
    assert 'id="scope-filters"' in response.text  # the bar comes along: its arrows follow the period


def test_unreadable_filters_are_named_beside_the_bar(tenant, admin_client):
    response = admin_client.get("/dashboard?from=2026-13-01&owner_id=x")
    assert response.status_code == 422
    assert "Enter a date as YYYY-MM-DD." in response.text and "Choose a person from the list." in response.text


def test_period_arrows_and_the_filter_bar(company, as_user):
    page = as_user("boss").get("/dashboard", query_string=MARCH).text
    assert 'id="scope-previous" href="/dashboard?range=month&amp;from=2026-02-01"' in page
    assert 'id="scope-next" href="/dashboard?range=month&amp;from=2026-04-01"' in page
    assert 'name="owner_id"' in page and 'name="team_id"' in page  # a supervisor picks among their people
    rep_page = as_user("rep1").get("/dashboard", query_string=MARCH).text
    assert 'name="owner_id"' not in rep_page  # a rep alone sees only themselves: nobody to pick


def test_the_home_page_is_the_dashboard_with_the_first_run_checklist(tenant, admin_client, client_for, factory):
    assert admin_client.get("/").location == "/dashboard"
    page = admin_client.get("/dashboard").text
    assert "Get started" in page and 'id="onboarding"' in page
    assert 'aria-current="page"' in re.search(r'<a[^>]*href="/dashboard"[^>]*>', page).group(0)
    factory.user(tenant, "rep", superior_id=factory.admin_id(tenant))
    rep = client_for(tenant)
    login(rep, "rep", STAFF_PASSWORD)
    assert "Get started" not in rep.get("/dashboard").text


def keep_open(app, tenant, until):
    """The company's trial runs past ``until`` (a test that travels in time must not find it ended)."""
    from crm_saas.extensions import db
    from crm_saas.tenants.models import Tenant

    with app.app_context():
        db.session.get(Tenant, tenant.id).expires_at = until
        db.session.commit()


def test_a_month_and_a_year_turn_in_china_time(app, tenant, factory, client_for):
    """At 08:00 on 1 January 2027 in Shanghai the month is January; a customer added at 16:30 UTC on 31 December
    is January's, one at 15:30 UTC is December's, and January is compared with December."""
    admin = factory.admin_id(tenant)
    january = customer(factory, tenant, admin, "元旦客户", datetime(2026, 12, 31, 16, 30, tzinfo=UTC))
    customer(factory, tenant, admin, "除夕客户", datetime(2026, 12, 31, 15, 30, tzinfo=UTC))
    customer(factory, tenant, admin, "十一月客户", at(2026, 11, 30, 23, 59))
    won = deal(factory, tenant, january, admin, "跨年商机", "880", at(2026, 12, 20))
    move(factory, tenant, won, "won", datetime(2026, 12, 31, 16, 1, tzinfo=UTC))  # 00:01 on 1 January
    keep_open(app, tenant, at(2027, 6, 1))
    with time_machine.travel(at(2027, 1, 1, 8), tick=True):
        client = client_for(tenant)
        login(client, "admin", ADMIN_PASSWORD)
        month = cards(client.get("/dashboard").text)
        assert (month["new_customers"][0], month["new_customers"][2]) == ("1", "1")
        assert "range=month&from=2026-12-01" in month["new_customers"][3]
        assert month["won_amount"][0] == "880.00" and month["revenue_month"][2] == "0.00"
        day = cards(client.get("/dashboard?range=day").text)
        assert (day["new_customers"][0], day["new_customers"][2]) == ("1", "1")
        quarter = cards(client.get("/dashboard?range=quarter").text)  # Q1 2027 against Q4 2026
        assert (quarter["new_customers"][0], quarter["new_customers"][2]) == ("1", "2")
        assert "range=quarter&from=2026-10-01" in quarter["new_customers"][3]


def test_statements_do_not_grow_with_the_records(tenant, factory, admin_client, count_queries):
    admin_client.post("/onboarding/dismiss")
    company = scene(factory, tenant)
    path = "/dashboard?range=month&from=2026-03-01"
    few = statements(count_queries, admin_client, path)
    people = company["people"]
    for i in range(12):
        owner = people[("rep1", "rep2", "other", "lead")[i % 4]]
        extra = customer(factory, tenant, owner, f"加客户{i}", at(2026, 3, 1 + i), source=("campaign", "other")[i % 2])
        won = deal(factory, tenant, extra, owner, f"加商机{i}", "100", at(2026, 3, 1 + i))
        move(factory, tenant, won, i % 4, at(2026, 3, 2 + i))
        move(factory, tenant, won, "won", at(2026, 3, 3 + i))
    many = statements(count_queries, admin_client, path)
    assert many == few <= DASHBOARD_BUDGET
    assert shown(admin_client, **MARCH)["won_deals"] == ("17", "1")
