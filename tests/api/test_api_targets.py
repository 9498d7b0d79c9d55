"""Sales targets through the API (API.md ``targets``): the fields as written there, list filters and paging, 422
naming each bad field, 409 naming the existing target, 404 out of sight, 403 seen but not the caller's to change."""
import pytest

from tests.blueprints.reports.target_scene import company, target


@pytest.fixture
def team(tenant, factory, api_for, admin_api):
    ids = company(factory, tenant)
    return {"ids": ids, "admin": admin_api, "boss": api_for(tenant, "boss"), "rep": api_for(tenant, "rep_a")}


def test_create_read_change_and_remove(team):
    ids = team["ids"]
    created = team["boss"].post("/targets", json={"period": "2026-03", "user_id": ids["rep_a"],
                                                  "metric": "won_amount", "value": "30000"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body == {"id": body["id"], "period": "2026-03", "user_id": ids["rep_a"], "team_id": None,
                    "metric": "won_amount", "value": "30000.00"}
    team_target = team["admin"].post("/targets", json={"period": "2026-Q1", "team_id": ids["boss"],
                                                       "metric": "follow_ups", "value": 120})
    assert team_target.status_code == 201 and team_target.get_json()["value"] == "120.00"

    patched = team["boss"].patch(f"/targets/{body['id']}", json={"value": "32000.5"})
    assert patched.status_code == 200 and patched.get_json()["value"] == "32000.50"
    moved = team["boss"].patch(f"/targets/{body['id']}", json={"user_id": ids["rep_b"], "period": "2026-04"})
    assert (moved.get_json()["user_id"], moved.get_json()["period"]) == (ids["rep_b"], "2026-04")

    assert team["boss"].delete(f"/targets/{body['id']}").status_code == 204
    assert team["boss"].patch(f"/targets/{body['id']}", json={"value": "1"}).status_code == 404


def test_422_names_each_bad_field_and_409_names_the_existing_target(team):
    ids = team["ids"]
    bad = team["admin"].post("/targets", json={"period": "March", "metric": "profit", "value": "abc",
                                               "user_id": ids["rep_a"], "team_id": ids["boss"]})
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"period", "metric", "value", "team_id"}
    assert set(team["admin"].post("/targets", json={}).get_json()["errors"]) == {"period", "metric", "value",
                                                                                 "user_id"}
    assert team["admin"].post("/targets", json={"period": "2026-03", "metric": "new_customers", "value": "2.5",
                                                "user_id": ids["rep_a"]}).get_json()["errors"] == {
        "value": ["Enter a whole number."]}
    first = team["admin"].post("/targets", json={"period": "2026-03", "metric": "new_customers", "value": "5",
                                                 "user_id": ids["rep_a"]}).get_json()
    again = team["boss"].post("/targets", json={"period": "2026-03", "metric": "new_customers", "value": "6",
                                                "user_id": ids["rep_a"]})
    assert again.status_code == 409 and again.get_json()["existing_id"] == first["id"]
    assert "period" in again.get_json()["errors"]


def test_sight_and_rights(tenant, factory, team):
    ids = team["ids"]
    others = target(factory, tenant, "won_amount", 10000, user_id=ids["rep_c"])
    own = target(factory, tenant, "won_amount", 5000, user_id=ids["boss"])
    reps = target(factory, tenant, "won_amount", 3000, user_id=ids["rep_a"])
    # Out of the supervisor's sight: a 404, never a 403; and not a holder they may name.
    assert team["boss"].patch(f"/targets/{others}", json={"value": "1"}).status_code == 404
    assert team["boss"].delete(f"/targets/{others}").status_code == 404
    refused = team["boss"].post("/targets", json={"period": "2026-05", "metric": "won_amount", "value": "1",
                                                  "user_id": ids["rep_c"]})
    assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {"user_id"}
    # Seen but not theirs to change: their own target (their boss sets it).
    assert team["boss"].patch(f"/targets/{own}", json={"value": "1"}).status_code == 403
    assert team["boss"].delete(f"/targets/{own}").status_code == 403
    # A rep sees their own, changes nothing, sets nothing.
    assert [t["id"] for t in team["rep"].get("/targets").get_json()["items"]] == [reps]
    assert team["rep"].patch(f"/targets/{reps}", json={"value": "1"}).status_code == 403
    assert team["rep"].post("/targets", json={"period": "2026-05", "metric": "won_amount", "value": "1",
                                              "user_id": ids["rep_a"]}).status_code == 403
    assert sorted(t["id"] for t in team["boss"].get("/targets").get_json()["items"]) == sorted([own, reps])


def test_list_filters_and_paging(tenant, factory, team):
    ids = team["ids"]
    march = [target(factory, tenant, "won_amount", 1000 * (i + 1), user_id=ids[who])
             for i, who in enumerate(("rep_a", "rep_b", "rep_c"))]
    target(factory, tenant, "follow_ups", 30, user_id=ids["rep_a"])
    target(factory, tenant, "won_amount", 9000, team_id=ids["boss"], period="2026-Q1")
    listed = team["admin"].get("/targets?period=2026-03&metric=won_amount&per_page=2").get_json()
    assert (listed["total"], listed["page"], listed["per_page"], len(listed["items"])) == (3, 1, 2, 2)
    second = team["admin"].get("/targets?period=2026-03&metric=won_amount&per_page=2&page=2").get_json()
    assert [t["id"] for t in listed["items"] + second["items"]] == march
    assert [t["metric"] for t in team["admin"].get(f"/targets?user_id={ids['rep_a']}").get_json()["items"]] == [
        "won_amount", "follow_ups"]
    by_team = team["admin"].get(f"/targets?team_id={ids['boss']}").get_json()["items"]
    assert [(t["period"], t["team_id"], t["user_id"], t["value"]) for t in by_team] == [
        ("2026-Q1", ids["boss"], None, "9000.00")]
    bad = team["admin"].get("/targets?period=2026-3&metric=x")
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"period", "metric"}


def test_in_the_openapi_document(admin_api):
    paths = admin_api.get("/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/targets"]) and {"patch", "delete"} <= set(
        paths["/api/v1/targets/{target_id}"])
