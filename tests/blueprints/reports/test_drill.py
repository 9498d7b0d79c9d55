"""The list behind every figure (issue 16.1, 16.4): exactly as many rows as the number says, with the same filters,
under the one visibility rule, 50 a page in a fixed number of statements."""
import json
import re
from html import unescape

import pytest

from tests.blueprints.customers.test_queries import statements
from tests.blueprints.reports.dashboard_helpers import EXPECTED, MARCH, at, cards, customer, listed, scene
from tests.conftest import ADMIN_PASSWORD, STAFF_PASSWORD, login

RECORDS_BUDGET = 16


@pytest.fixture
def company(tenant, factory):
    return scene(factory, tenant)


@pytest.fixture
def as_user(tenant, client_for):
    def sign_in(username):
        client = client_for(tenant)
        assert login(client, username, ADMIN_PASSWORD if username == "admin" else STAFF_PASSWORD).status_code == 302
        return client

    return sign_in


def names(html):
    return set(re.findall(r'<a href="/deals/\d+">([^<]+)</a>', html))


def chart(html, key):
    found = re.search(rf'data-chart-key="{key}" role="img"[^>]*data-chart=\'([^\']*)\'', html)
    return json.loads(unescape(found.group(1)))


@pytest.mark.parametrize("viewer", ["rep1", "boss", "admin"])
def test_the_list_behind_each_card_has_as_many_rows_as_the_card_says(company, as_user, viewer):
    client = as_user(viewer)
    shown = cards(client.get("/dashboard", query_string=MARCH).text)
    assert set(shown) == set(EXPECTED[viewer])
    for key, (value, url, previous, previous_url) in shown.items():
        page = client.get(url)
        assert page.status_code == 200, url
        total, rows = listed(page.text)
        if key in ("won_amount", "revenue_month"):  # the won deals, and the sum of their amounts beside them
            assert total == int(shown["won_deals"][0]) and f'data-amount="{value}"' in page.text, key
        else:
            assert total == len(rows) == int(value), (key, url)
        if previous_url:
            before = client.get(previous_url).text
            total, rows = listed(before)
            if key in ("won_amount", "revenue_month"):
                assert total == len(rows) == int(shown["won_deals"][2]) and f'data-amount="{previous}"' in before
            else:
                assert total == len(rows) == int(previous), key


def test_the_list_keeps_the_filters_of_the_figure(company, as_user):
    people = company["people"]
    client = as_user("admin")
    shown = cards(client.get("/dashboard", query_string={**MARCH, "team_id": people["lead"]}).text)
    url = shown["won_deals"][1]
    assert f"team_id={people['lead']}" in url
    page = client.get(url).text
    assert names(page) == {"一号商机", "七号商机", "六号商机"}
    assert f'name="team_id" value="{people["lead"]}"' in page  # the list's own filter bar carries on with them


def test_a_funnel_bar_lists_the_deals_that_entered_its_stage(company, as_user):
    client = as_user("admin")
    funnel = chart(client.get("/dashboard", query_string=MARCH).text, "funnel")
    first = client.get(funnel["urls"][0]).text
    assert "Deals that entered Initial contact" in first
    assert listed(first)[0] == funnel["series"][0]["data"][0] == 4
    assert names(first) == {"一号商机", "三号商机", "四号商机", "五号商机"}
    won = client.get(funnel["urls"][4]).text
    assert listed(won)[0] == 5 and names(won) == {"一号商机", "三号商机", "四号商机", "六号商机", "七号商机"}
    second = client.get(funnel["urls"][1]).text
    assert names(second) == {"五号商机"}  # entered, then lost: still counted as having entered


def test_every_bar_opens_its_records(company, as_user):
    client = as_user("admin")
    html = client.get("/dashboard", query_string=MARCH).text
    for key in ("trend", "funnel", "won_by_owner", "sources"):
        found = chart(html, key)
        for index, url in enumerate(found["urls"]):
            total, rows = listed(client.get(url).text)
            counted = found["series"][1 if key in ("trend", "won_by_owner") else 0]["data"][index]
            assert total == len(rows) == counted, (key, index, url)
    owners = chart(html, "won_by_owner")
    assert names(client.get(owners["urls"][0]).text) == {"四号商机"}  # Other's one deal
    day = chart(html, "trend")
    assert names(client.get(day["urls"][9]).text) == {"四号商机"}  # 10 March
    sources = chart(html, "sources")
    exhibition = client.get(sources["urls"][0]).text
    assert "New customers from Exhibition" in exhibition and listed(exhibition)[0] == 3


def test_a_rep_never_counts_a_colleague_and_a_link_outside_sight_lists_nothing(company, as_user):
    people = company["people"]
    rep = as_user("rep1")
    page = rep.get("/dashboard", query_string=MARCH).text
    assert not {"三号商机", "四号商机", "六号商机"} & names(rep.get(cards(page)["won_deals"][1]).text)
    for args in ({"owner_id": people["rep2"]}, {"owner_id": people["admin"]}, {"team_id": people["boss"]}):
        for measure in ("new_customers", "won_deals", "follow_ups", "overdue_tasks", "returning_customers"):
            total, rows = listed(rep.get(f"/reports/records/{measure}", query_string={**MARCH, **args}).text)
            expected_rows = 0 if "owner_id" in args else EXPECTED["rep1"][measure][0]
            assert total == len(rows) == expected_rows, (measure, args)
    boss = as_user("boss")
    outside = boss.get("/reports/records/won_deals", query_string={**MARCH, "owner_id": people["other"]}).text
    assert listed(outside) == (0, [])
    funnel = boss.get("/reports/records/entered_stage",
                      query_string={**MARCH, "owner_id": people["other"], "stage_id": 1}).text
    assert listed(funnel) == (0, [])


def test_unknown_measures_and_unreadable_arguments_are_not_found(company, as_user):
    client = as_user("admin")
    assert client.get("/reports/records/nothing").status_code == 404
    assert client.get("/reports/records/entered_stage?stage_id=x").status_code == 404
    assert client.get("/reports/records/new_customers?from=2026-02-30").status_code == 422


def test_fifty_a_page_in_a_fixed_number_of_statements(tenant, factory, admin_client, count_queries):
    admin = factory.admin_id(tenant)
    for i in range(3):
        customer(factory, tenant, admin, f"少客户{i}", at(2026, 3, 2))
    path = "/reports/records/new_customers?range=month&from=2026-03-01"
    few = statements(count_queries, admin_client, path)
    for i in range(57):
        customer(factory, tenant, admin, f"多客户{i}", at(2026, 3, 3 + i % 20))
    many = statements(count_queries, admin_client, path)
    assert many == few <= RECORDS_BUDGET
    first = admin_client.get(path).text
    assert listed(first)[0] == 60 and len(listed(first)[1]) == 50 and "60 customers" in first
    second = admin_client.get(path + "&page=2", headers={"HX-Request": "true"}).text
    assert second.lstrip().startswith('<div id="records-body"') and len(listed(second)[1]) == 10
    deals_path = "/reports/records/entered_stage?range=month&from=2026-03-01&stage_id=1"
    assert statements(count_queries, admin_client, deals_path) <= RECORDS_BUDGET


def test_the_targets_panel_numbers_open_their_records(company, as_user):
    client = as_user("admin")
    html = client.get("/dashboard", query_string=MARCH).text
    progress = re.findall(r'data-metric="(\w+)">.*?<a href="([^"]+)" data-value="([^"]*)"', html, re.S)
    assert {metric for metric, _url, _value in progress} == {"won_amount", "new_customers", "follow_ups"}
    for metric, url, value in progress:
        page = client.get(unescape(url)).text
        total, rows = listed(page)
        if metric == "won_amount":
            assert total == len(rows) == 5 and f'data-amount="{value}"' in page
        else:
            assert total == len(rows) == int(value), metric
