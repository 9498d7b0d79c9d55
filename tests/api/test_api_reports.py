"""The reports API (API.md ``reports``): each report as JSON with its filters, under the visibility rule; bad
filters named in a 422; every report in the OpenAPI document."""
import pytest

from tests.blueprints.reports.report_scenes import at, closed, team

MARCH = "range=month&from=2025-03-01"
KEYS = ("sales-by-owner", "sales-by-team", "funnel", "conversion", "sources", "follow-ups", "churn",
        "repeat-purchase", "forecast", "targets", "service")


@pytest.fixture
def scene(tenant, factory):
    """March 2025: ana won 3 deals (1,000, 2,000, 3,000) and lost 5 (37.5%); dan, in another team, won one of 700."""
    ids = team(factory, tenant)
    for amount in ("1000", "2000", "3000"):
        closed(factory, tenant, ids["ana"], "won", amount=amount, created=at(3, 1), closed_at=at(3, 11))
    for _ in range(5):
        closed(factory, tenant, ids["ana"], "lost")
    closed(factory, tenant, ids["dan"], "won", amount="700")
    return ids


def test_a_report_answers_rows_totals_filters_and_columns(tenant, scene, admin_api, api_for):
    response = admin_api.get(f"/reports/sales-by-owner?{MARCH}")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) >= {"rows", "totals", "filters", "columns"}
    ana = next(row for row in body["rows"] if row["owner"] == "Ana")
    assert ana == {"key": scene["ana"], "group": None, "owner": "Ana", "won_count": 3, "won_amount": "6000.00",
                   "lost_count": 5, "win_rate": "37.5", "average_deal": "2000.00", "sales_cycle": "10.0"}
    assert body["totals"]["won_amount"] == "6700.00" and body["totals"]["owner"] == "Total"
    assert body["filters"] == {"range": "month", "from": "2025-03-01", "to": "2025-03-31"}
    assert [c["key"] for c in body["columns"]][:3] == ["owner", "won_count", "won_amount"]
    assert {"key": "win_rate", "label": "Win rate (%)", "kind": "percent"} in body["columns"]
    # The same report as a depth-2 supervisor: dan is out of sight, in the rows and in the total.
    mid = api_for(tenant, "mid").get(f"/reports/sales-by-owner?{MARCH}").get_json()
    assert [row["owner"] for row in mid["rows"]] == ["Ana"] and mid["totals"]["won_amount"] == "6000.00"
    rep = api_for(tenant, "dan").get(f"/reports/sales-by-team?{MARCH}").get_json()
    assert rep["rows"] == [] and rep["totals"]["won_count"] == 1


def test_filters_and_report_arguments(tenant, factory, scene, admin_api):
    body = admin_api.get(f"/reports/sales-by-owner?{MARCH}&owner_id={scene['dan']}&province=上海市").get_json()
    assert [row["owner"] for row in body["rows"]] == ["Dan"]
    assert body["filters"]["owner_id"] == scene["dan"] and body["filters"]["province"] == "上海市"
    follow = admin_api.get("/reports/follow-ups?from=2025-03-01&to=2025-03-15&days=45").get_json()
    assert follow["filters"] == {"range": "custom", "from": "2025-03-01", "to": "2025-03-15", "days": 45}
    funnel = admin_api.get(f"/reports/funnel?{MARCH}").get_json()
    assert [row["stage"] for row in funnel["rows"]][:2] == ["Initial contact", "Needs analysis"]
    assert "pipeline_id" not in funnel["filters"]  # the default pipeline
    assert funnel["rows"][0]["entered"] == 9 and funnel["rows"][-1]["group"] == "Lost reasons"


def test_bad_filters_answer_422_naming_each(tenant, scene, admin_api):
    response = admin_api.get("/reports/sales-by-owner?range=year&from=March&owner_id=x")
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"range", "from", "owner_id"}
    response = admin_api.get("/reports/follow-ups?days=0&to=2025-01-01&from=2025-02-01")
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {"days", "to"}
    response = admin_api.get("/reports/funnel?pipeline_id=99999")
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {"pipeline_id"}
    assert admin_api.get("/reports/no-such-report").status_code == 404


def test_every_report_answers_and_needs_a_token(tenant, scene, admin_api, client_for):
    for key in KEYS:
        response = admin_api.get(f"/reports/{key}?{MARCH}")
        assert response.status_code == 200, key
        assert set(response.get_json()) >= {"rows", "totals", "filters", "columns"}, key
    assert client_for(tenant).get("/api/v1/reports/sales-by-owner").status_code == 401


def test_the_openapi_document_lists_every_report_with_its_columns(tenant, client_for):
    spec = client_for(tenant).get("/api/v1/openapi.json").get_json()
    for key in KEYS:
        assert "get" in spec["paths"][f"/api/v1/reports/{key}"], key
    operation = spec["paths"]["/api/v1/reports/follow-ups"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"range", "from", "to", "province", "city", "owner_id", "team_id", "days"} <= names
    row = spec["components"]["schemas"]["SalesByOwnerRow"]["properties"]
    assert {"owner", "won_count", "won_amount", "win_rate", "average_deal", "sales_cycle"} <= set(row)
    assert row["won_amount"]["type"] == "string" and row["won_count"]["type"] == "integer"
    assert "pipeline_id" in {p["name"] for p in spec["paths"]["/api/v1/reports/funnel"]["get"]["parameters"]}
