"""The dashboard through the API (API.md ``dashboard``): the shape, the figures of a known scene for the admin and
a rep, money as decimal strings, 422 naming the filter that does not read, and the OpenAPI document."""
import pytest

from tests.blueprints.reports.dashboard_helpers import MARCH, scene

CARDS = ["new_customers", "new_deals", "won_deals", "won_amount", "revenue_month", "follow_ups", "overdue_tasks",
         "returning_customers"]


@pytest.fixture
def company(tenant, factory):
    return scene(factory, tenant)


def figures(body):
    return {card["key"]: (card["value"], card["previous"], card["change"]) for card in body["cards"]}


def test_the_shape_and_the_figures(company, admin_api):
    response = admin_api.get("/dashboard", query_string=MARCH)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) >= {"cards", "charts", "filters"}
    assert [card["key"] for card in body["cards"]] == CARDS
    assert all({"key", "value", "previous", "change"} <= set(card) for card in body["cards"])
    found = figures(body)
    assert found["new_customers"] == (5, 2, "150.0")
    assert found["won_amount"] == ("9200.50", "300.00", "2966.8")
    assert found["revenue_month"] == ("9200.50", "300.00", "2966.8")
    assert found["overdue_tasks"] == (3, None, None) and found["returning_customers"] == (3, None, None)
    assert body["filters"] == {"range": "month", "from": "2026-03-01"}
    assert set(body["charts"]) == {"trend", "funnel", "won_by_owner", "sources"}
    funnel = body["charts"]["funnel"]
    assert funnel["type"] == "funnel" and funnel["series"][0]["data"] == [4, 1, 0, 0, 5]
    assert funnel["links"][0]["measure"] == "entered_stage" and funnel["links"][0]["from"] == "2026-03-01"
    owners = body["charts"]["won_by_owner"]
    assert owners["categories"][0] == "Other" and owners["series"][0]["data"][0] == "5000.00"
    assert isinstance(body["targets"], list)


def test_a_rep_counts_their_own_and_filters_apply(company, tenant, api_for, admin_api):
    rep = figures(api_for(tenant, "rep1").get("/dashboard", query_string=MARCH).get_json())
    assert rep["new_customers"] == (2, 1, "100.0") and rep["won_amount"] == ("1800.50", "300.00", "500.2")
    people = company["people"]
    team = figures(admin_api.get("/dashboard", query_string={**MARCH, "team_id": people["lead"]}).get_json())
    assert team["won_deals"] == (3, 1, "200.0")
    # The week of 2 March against the week before, which ends with c6 made at 00:30 on 1 March in Shanghai.
    week = figures(admin_api.get("/dashboard", query_string={"range": "week", "from": "2026-03-04",
                                                             "owner_id": people["other"]}).get_json())
    assert week["new_customers"] == (0, 1, "-100.0")
    outside = figures(api_for(tenant, "boss").get("/dashboard", query_string={**MARCH, "owner_id": people["other"]})
                      .get_json())
    assert outside["won_amount"] == ("0.00", "0.00", None) and outside["new_customers"] == (0, 0, None)


def test_unreadable_filters_answer_422_naming_each(admin_api):
    response = admin_api.get("/dashboard?from=2026-02-30")
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"from"}
    response = admin_api.get("/dashboard?range=year&owner_id=abc&from=2026-01-01&to=2025-01-01")
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) >= {"range", "owner_id"}
    assert admin_api.get("/dashboard?from=2026-03-01&to=2026-02-01").get_json()["errors"] == {
        "to": ["The end date is before the start date."]}


def test_without_a_token_it_is_401(client_for, tenant):
    assert client_for(tenant).get("/api/v1/dashboard").status_code == 401


def test_it_is_in_the_openapi_document(client_for, tenant):
    spec = client_for(tenant).get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/dashboard"]["get"]
    assert {"range", "from", "to", "owner_id", "team_id", "province", "city"} <= {p["name"] for p in
                                                                                 operation["parameters"]}
    schema = spec["components"]["schemas"]["Dashboard"]["properties"]
    assert {"cards", "charts", "filters"} <= set(schema)
