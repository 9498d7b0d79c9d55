"""Health, language choice and the front doors of each kind of host."""


def test_healthz_reports_database_and_redis_on_any_host(client_for, tenant):
    for host in ("localhost", tenant.host, "unknown.localhost"):
        response = client_for(host).get("/healthz")
        assert response.status_code == 200
        assert response.json == {"status": "ok", "database": "ok", "redis": "ok"}


def test_front_doors(client_for, tenant, admin_client):
    assert client_for("localhost").get("/").location == "/signup"
    assert client_for(tenant).get("/").location == "/login"
    assert admin_client.get("/").location == "/dashboard"


def test_browser_language_is_the_default_and_the_user_can_pick(client_for, tenant):
    client = client_for(tenant)
    assert "登录" in client.get("/login", headers={"Accept-Language": "zh-CN"}).text
    assert "Log in" in client.get("/login", headers={"Accept-Language": "en-US"}).text
    client.post("/language", data={"lang": "en", "next": "/login"})
    assert "Log in" in client.get("/login", headers={"Accept-Language": "zh-CN"}).text
