"""Issue 11.3: a ``next`` that a browser would read as another host never becomes a Location.

Browsers drop tabs and newlines inside a URL and read a backslash as a
slash, so ``/\\t/evil.example/`` is ``//evil.example/``: the app must read it
the same way before trusting it.
"""
import pytest

from crm_saas.core.views import safe_next
from tests.conftest import ADMIN_PASSWORD

HOSTILE = ["/\t/evil.example/", "//evil.example/", "/\\evil.example/", "\\\\evil.example",
           "https://evil.example/", " //evil.example", "/\n/evil.example", "javascript:alert(1)", "evil.example"]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_targets_fall_back(target):
    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize("target", ["/customers/?q=a%20b", "/board?pipeline_id=2#top", "/"])
def test_paths_on_this_host_are_kept(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("raw", ["/%09/evil.example/", "/%0a/evil.example/", "/%5C/evil.example/", "https://evil.example/"])
def test_login_never_redirects_off_the_host(tenant, client_for, raw):
    client = client_for(tenant)
    response = client.post(f"/login?next={raw}", data={"username": "admin", "password": ADMIN_PASSWORD})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil" not in location and not location.startswith("//"), location


@pytest.mark.parametrize("target", ["/\t/evil.example/", "/\\evil.example/", "//evil.example/"])
def test_the_language_switch_never_redirects_off_the_host(tenant, client_for, target):
    response = client_for(tenant).post("/language", data={"lang": "en", "next": target})
    assert response.status_code == 302 and "evil" not in response.headers["Location"], response.headers["Location"]


def test_the_language_switch_goes_back_to_the_page(tenant, client_for):
    response = client_for(tenant).post("/language", data={"lang": "en", "next": "/login?x=1"})
    assert response.headers["Location"] == "/login?x=1"
