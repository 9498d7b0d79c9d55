"""Nothing made in one company is visible in another, and credentials do not cross hosts."""
import re

import pytest

from tests.conftest import ADMIN_PASSWORD, login


@pytest.fixture
def two_companies(make_tenant, client_for, factory):
    a, b = make_tenant("iso-a"), make_tenant("iso-b")
    admin_a = factory.admin_id(a)
    data = {
        "customer": factory.customer(a, admin_a, name="Alpha 独有客户", phone="13911112222"),
        "staff": "alpha_only_rep",
    }
    factory.user(a, data["staff"], role="rep", superior_id=admin_a)
    data["deal"] = factory.deal(a, data["customer"], admin_a, name="Alpha secret deal", amount="777")
    ca, cb = client_for(a), client_for(b)
    assert login(ca, "admin", ADMIN_PASSWORD).status_code == 302
    assert login(cb, "admin", ADMIN_PASSWORD).status_code == 302
    export = ca.post("/exports/customers", data={"q": ""})
    data["export"] = int(re.search(r"/exports/(\d+)", export.text).group(1))
    return a, b, ca, cb, data


def test_records_of_one_company_are_404_in_the_other(two_companies):
    a, b, ca, cb, data = two_companies
    # Visible at home...
    assert ca.get(f"/customers/{data['customer']}").status_code == 200
    assert ca.get(f"/exports/{data['export']}").status_code == 200
    # ...and absent next door, by id and in every list.
    assert cb.get(f"/customers/{data['customer']}").status_code == 404
    assert cb.get(f"/exports/{data['export']}").status_code == 404
    assert cb.get(f"/exports/{data['export']}/download").status_code == 404
    assert cb.post(f"/deals/{data['deal']}/move", data={"stage_id": 1, "position": 0}).status_code == 404
    for path in ("/customers/", "/customers/?q=Alpha", "/customers/?q=13911112222"):
        assert "Alpha 独有客户" in ca.get(path, headers={"HX-Request": "true"}).text, path
    for path in ("/customers/", "/customers/?q=Alpha", "/customers/?q=13911112222", "/board", "/staff/"):
        page = cb.get(path, headers={"HX-Request": "true"})  # the results alone, not the search box
        assert page.status_code == 200, path
        results = re.sub(r"([?&]q=)[^&\"]*", r"\1", page.text)  # the sort and page links repeat what was asked
        for secret in ("Alpha 独有客户", "Alpha secret deal", data["staff"], "13911112222"):
            assert secret not in results, (path, secret)


def test_session_cookie_of_one_company_is_refused_on_another(two_companies):
    a, b, ca, cb, data = two_companies
    cookie = ca.get_cookie("session", domain=a.host)
    assert cookie is not None
    from tests.conftest import HostClient

    stranger = HostClient(cb.application, cb.application.response_class, use_cookies=True)
    stranger.host = b.host
    stranger.set_cookie("session", cookie.value, domain=b.host)
    # Same user id (the admin is id 1 in both), but the cookie names company A.
    response = stranger.get("/board")
    assert response.status_code == 302 and "/login" in response.location


def test_unknown_host_is_404_and_tenant_pages_need_a_tenant(client_for):
    assert client_for("nobody.localhost").get("/login").status_code == 404
    assert client_for("evil.example.com").get("/").status_code == 404
    assert client_for("localhost").get("/customers/").status_code == 404
    assert client_for("localhost").get("/login").status_code == 404
