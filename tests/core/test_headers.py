"""Issue 11.8: every response carries the security headers; HTTPS adds HSTS and a Secure cookie."""
import re

import pytest

from crm_saas import create_app
from tests.conftest import ADMIN_PASSWORD, app_config, login


@pytest.mark.parametrize("path", ["/login", "/customers/", "/api/v1/openapi.json", "/static/css/app.css", "/nowhere"])
def test_pages_and_api_answers_carry_the_headers(admin_client, path):
    headers = admin_client.get(path).headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # plain HTTP: no HSTS


def test_no_template_needs_inline_script_or_style(admin_client, tenant, factory):
    """What 'script-src 'self'' would block: inline handlers, inline scripts, style attributes."""
    customer = factory.customer(tenant, factory.admin_id(tenant))
    for path in ("/board", "/customers/", f"/customers/{customer}", "/customers/recycle-bin", "/agenda", "/staff/tree",
                 "/settings/", "/deals/"):
        page = admin_client.get(path).text
        assert not re.search(r"\son[a-z]+=", page), path
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), path
        assert " style=" not in page, path


def test_https_adds_hsts_and_a_secure_session_cookie(servers, tenant):
    app = create_app(app_config(servers, CRM_HTTPS=True))
    client = app.test_client()
    response = client.post("/login", data={"username": "admin", "password": ADMIN_PASSWORD},
                           base_url=f"https://{tenant.host}")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_text_file_download_names_its_charset_once(admin_client, tenant, factory):
    import io

    customer = factory.customer(tenant, factory.admin_id(tenant))
    admin_client.post(f"/customers/{customer}/files", data={"file": (io.BytesIO(b"hello"), "note.txt")})
    page = admin_client.get(f"/customers/{customer}").text
    link = re.search(r'href="(/files/\d+/download)"', page).group(1)
    assert admin_client.get(link).headers["Content-Type"] == "text/plain; charset=utf-8"


def test_login_still_works_under_the_policy(tenant, client_for):
    assert login(client_for(tenant), "admin", ADMIN_PASSWORD).status_code == 302
