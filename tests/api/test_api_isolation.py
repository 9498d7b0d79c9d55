"""Through the API too, nothing of one company exists in another, and a token works only at home."""
from tests.api_client import ApiClient


def test_records_of_one_company_are_404_through_the_api_of_another(make_tenant, api_for, factory):
    a, b = make_tenant("apiiso-a"), make_tenant("apiiso-b")
    admin_a = factory.admin_id(a)
    customer = factory.customer(a, admin_a, name="Alpha API 客户")
    deal = factory.deal(a, customer, admin_a, name="Alpha API deal", amount="321")
    home, away = api_for(a), api_for(b)
    export = home.post("/exports", json={"kind": "customers", "filters": {}})
    assert export.status_code == 202
    export_id = export.get_json()["id"]

    assert home.get(f"/customers/{customer}").status_code == 200
    assert away.get(f"/customers/{customer}").status_code == 404
    assert away.get(f"/exports/{export_id}").status_code == 404
    assert away.get(f"/exports/{export_id}/download").status_code == 404
    pipeline = away.get("/pipelines").get_json()[0]
    stages = pipeline["stages"]
    assert away.post(f"/deals/{deal}/move", json={"stage_id": stages[1]["id"]}).status_code == 404
    listing = away.get("/customers", query_string={"q": "Alpha"}).get_json()
    assert listing["total"] == 0 and listing["items"] == []
    board = away.get(f"/pipelines/{pipeline['id']}/board").get_json()
    assert all(s["count"] == 0 and s["deals"] == [] for s in board["stages"])
    home_board = home.get(f"/pipelines/{home.get('/pipelines').get_json()[0]['id']}/board").get_json()
    assert sum(s["count"] for s in home_board["stages"]) == 1


def test_a_token_from_one_company_is_refused_on_anothers_host(make_tenant, api_for, client_for):
    a, b = make_tenant("tok-a"), make_tenant("tok-b")
    token = api_for(a).token
    stranger = ApiClient(client_for(b), token)
    assert stranger.get("/me").status_code == 401
    assert stranger.get("/customers").status_code == 401
    assert ApiClient(client_for(a), token).get("/me").status_code == 200
