"""Errors are pages of the app (issue 13.7): branded, in the reader's language, with a way on; JSON for the
API; the message alone (for a toast) for an htmx request; and an unknown company host says so."""
import pytest

from crm_saas import create_app
from tests.conftest import ADMIN_PASSWORD, STAFF_PASSWORD, app_config, login

ZH = {"Accept-Language": "zh-CN"}


def test_a_missing_page_in_both_languages_with_the_app_around_it(admin_client):
    en = admin_client.get("/customers/999999")
    assert en.status_code == 404 and 'data-status="404"' in en.text
    assert "Page not found" in en.text and "Error 404" in en.text and "Go to the board" in en.text
    assert 'role="search"' in en.text  # the app's own top bar, not a bare server page
    zh = admin_client.get("/customers/999999", headers=ZH)
    assert zh.status_code == 404 and "页面不存在" in zh.text and "Not Found" not in zh.text


def test_forbidden_and_wrong_method_pages(tenant, factory, client_for):
    factory.user(tenant, "rep", superior_id=factory.admin_id(tenant))
    rep = client_for(tenant)
    login(rep, "rep", STAFF_PASSWORD)
    forbidden = rep.get("/settings/", headers=ZH)
    assert forbidden.status_code == 403 and "无权" in forbidden.text and "Forbidden" not in forbidden.text
    wrong = rep.get("/logout")
    assert wrong.status_code == 405 and "Not possible this way" in wrong.text and "POST" in wrong.headers["Allow"]


def test_an_unknown_company_host_points_to_the_platform_site(client_for):
    page = client_for("no-such-company.localhost").get("/login")
    assert page.status_code == 404 and "Company not found" in page.text
    assert "no-such-company.localhost" in page.text and 'href="http://localhost/"' in page.text
    zh = client_for("no-such-company.localhost").get("/login", headers=ZH)
    assert "找不到公司" in zh.text


def test_the_api_keeps_its_json_and_htmx_gets_the_message_alone(admin_client, admin_api, client_for):
    api = admin_api.get("/customers/999999")
    assert api.status_code == 404 and api.get_json() == {"message": "Not found."}
    assert client_for("no-such-company.localhost").get("/api/v1/customers").get_json() == {"message": "Not found."}
    fragment = admin_client.get("/customers/999999", headers={"HX-Request": "true", **ZH})
    assert fragment.status_code == 404 and fragment.mimetype == "text/plain"
    assert fragment.text == "该页面不存在，或您无权查看。"


@pytest.fixture(scope="module")
def strict_app(servers):
    """An app as production runs it: exceptions become 500 pages, CSRF is checked."""
    app = create_app(app_config(servers, TESTING=False, PROPAGATE_EXCEPTIONS=False, WTF_CSRF_ENABLED=True))
    app.instance_path = servers[2]

    @app.route("/boom")
    def boom():
        raise RuntimeError("a bug")

    return app


def test_a_crash_is_a_500_page_and_an_expired_form_says_so(strict_app, tenant):
    client = strict_app.test_client()
    crashed = client.get("/boom", base_url="http://localhost", headers=ZH)
    assert crashed.status_code == 500 and "出错了" in crashed.text and "RuntimeError" not in crashed.text
    expired = client.post("/login", base_url=f"http://{tenant.host}",
                          data={"username": "admin", "password": ADMIN_PASSWORD}, headers={"Accept-Language": "en"})
    assert expired.status_code == 400 and "The form had expired" in expired.text
