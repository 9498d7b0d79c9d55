"""Tokens, the caller's record, and what a token does (and does not) open."""
from datetime import datetime

from tests.api_client import API, ApiClient, get_token
from tests.conftest import ADMIN_PASSWORD, STAFF_PASSWORD, login


def test_token_for_good_credentials(client_for, tenant):
    response = client_for(tenant).post(f"{API}/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert len(body["token"]) >= 32
    assert datetime.fromisoformat(body["expires_at"]).utcoffset() is not None


def test_bad_credentials_are_401_with_a_message(client_for, tenant):
    client = client_for(tenant)
    for credentials in ({"username": "admin", "password": "wrong"}, {"username": "nobody", "password": "x"}):
        response = client.post(f"{API}/auth/token", json=credentials)
        assert response.status_code == 401
        assert response.get_json()["message"]


def test_missing_credentials_are_422_naming_them(client_for, tenant):
    response = client_for(tenant).post(f"{API}/auth/token", json={})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"username", "password"}


def test_the_limits_apply_to_the_api(client_for, tenant):
    client = client_for(tenant)
    for _ in range(5):
        client.post(f"{API}/auth/token", json={"username": "admin", "password": "wrong"})
    response = client.post(f"{API}/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert response.get_json() == {"message": "Too many attempts: wait a while and try again."}


def test_calls_without_a_valid_token_are_401(client_for, tenant):
    client = client_for(tenant)
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic YWRtaW46eA=="}):
        response = client.get(f"{API}/customers", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["message"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_web_session_cookie_does_not_open_the_api(admin_client):
    assert admin_client.get("/customers/").status_code == 200
    assert admin_client.get(f"{API}/me").status_code == 401


def test_revoked_token_stops_working(admin_api):
    assert admin_api.get("/me").status_code == 200
    assert admin_api.delete("/auth/token").status_code == 204
    assert admin_api.get("/me").status_code == 401


def test_token_works_only_on_its_own_tenants_host(make_tenant, client_for, api_for):
    a, b = make_tenant("tok-a"), make_tenant("tok-b")
    token_a = api_for(a).token
    response = ApiClient(client_for(b), token_a).get("/me")
    assert response.status_code == 401
    assert ApiClient(client_for(a), token_a).get("/me").status_code == 200


def test_me_is_the_callers_staff_record(admin_api):
    body = admin_api.get("/me").get_json()
    assert body["username"] == "admin" and body["role"] == "admin" and body["active"] is True
    assert "password_hash" not in body and "session_token" not in body


def test_forced_password_change_blocks_everything_but_me(client_for, tenant, factory):
    factory.user(tenant, "newbie", must_change=True)
    api = ApiClient(client_for(tenant), get_token(client_for(tenant), "newbie", STAFF_PASSWORD))
    assert api.get("/me").status_code == 200
    for method, path in (("GET", "/customers"), ("GET", "/pipelines"), ("POST", "/exports")):
        response = api.call(method, path, json={})
        assert response.status_code == 403, path
        assert list(response.get_json()["errors"]) == ["password"]

    bad = api.post("/me/password", json={"old": "wrong", "new": "short"})
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"old", "new"}
    same = api.post("/me/password", json={"old": STAFF_PASSWORD, "new": STAFF_PASSWORD})
    assert list(same.get_json()["errors"]) == ["new"]

    assert api.post("/me/password", json={"old": STAFF_PASSWORD, "new": "Better#2027"}).status_code == 204
    assert api.get("/customers").status_code == 200
    assert api.get("/me").get_json()["must_change_password"] is False
    assert login(client_for(tenant), "newbie", "Better#2027").status_code == 302


def test_api_needs_no_csrf_token_but_the_web_still_does(app, client_for, tenant, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    client = client_for(tenant)
    assert client.post(f"{API}/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD}).status_code == 200
    assert login(client, "admin", ADMIN_PASSWORD).status_code == 400


def test_errors_are_json_under_the_api_and_pages_elsewhere(admin_api, admin_client):
    missing = admin_api.get("/no-such-thing")
    assert missing.status_code == 404 and missing.get_json() == {"message": missing.get_json()["message"]}
    wrong_method = admin_api.call("PUT", "/customers")
    assert wrong_method.status_code == 405 and "message" in wrong_method.get_json()
    page = admin_client.get("/customers/999999")
    assert page.status_code == 404 and page.mimetype == "text/html"
