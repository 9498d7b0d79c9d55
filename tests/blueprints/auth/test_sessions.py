"""Issue 11.4: what should end a session ends it on the server, not just in one browser."""
from tests.api_client import API, get_token
from tests.conftest import ADMIN_PASSWORD, STAFF_PASSWORD, login

NEW = "Better#2027"


def copy_of(client, client_for, tenant):
    """A second browser holding a copy of ``client``'s session cookie (what a thief would take)."""
    thief = client_for(tenant)
    cookie = client.get_cookie("session", domain=tenant.host)
    thief.set_cookie("session", cookie.value, domain=tenant.host)
    return thief


def test_a_cookie_copied_before_logout_is_refused_after_it(tenant, client_for):
    browser = client_for(tenant)
    assert login(browser, "admin", ADMIN_PASSWORD).status_code == 302
    thief = copy_of(browser, client_for, tenant)
    assert thief.get("/customers/").status_code == 200  # the copy works while the session lives
    browser.post("/logout")
    assert thief.get("/customers/").status_code == 302  # to the login page: the session ended on the server
    assert browser.get("/customers/").status_code == 302


def test_logging_out_ends_that_session_only(tenant, client_for):
    desk, phone = client_for(tenant), client_for(tenant)
    for browser in (desk, phone):
        assert login(browser, "admin", ADMIN_PASSWORD).status_code == 302
    phone.post("/logout")
    assert desk.get("/customers/").status_code == 200


def test_a_password_change_ends_other_sessions_and_every_api_token(tenant, client_for, factory):
    factory.user(tenant, "rep")
    browser, other = client_for(tenant), client_for(tenant)
    for client in (browser, other):
        assert login(client, "rep", STAFF_PASSWORD).status_code == 302
    token = get_token(client_for(tenant), "rep", STAFF_PASSWORD)
    changed = browser.post("/password", data={"old": STAFF_PASSWORD, "new": NEW, "confirm": NEW})
    assert changed.status_code == 302
    assert browser.get("/customers/").status_code == 200  # the browser that changed it stays in
    assert other.get("/customers/").status_code == 302
    api = client_for(tenant)
    assert api.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_password_change_through_the_api_keeps_only_the_token_that_made_it(tenant, client_for, factory):
    factory.user(tenant, "rep")
    caller, older = (get_token(client_for(tenant), "rep", STAFF_PASSWORD) for _ in range(2))
    browser = client_for(tenant)
    assert login(browser, "rep", STAFF_PASSWORD).status_code == 302
    api = client_for(tenant)
    changed = api.post(f"{API}/me/password", json={"old": STAFF_PASSWORD, "new": NEW},
                       headers={"Authorization": f"Bearer {caller}"})
    assert changed.status_code == 204
    assert api.get(f"{API}/me", headers={"Authorization": f"Bearer {caller}"}).status_code == 200
    assert api.get(f"{API}/me", headers={"Authorization": f"Bearer {older}"}).status_code == 401
    assert browser.get("/customers/").status_code == 302
