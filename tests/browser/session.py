"""Signing in through the real page (a company's, or the platform console's), shared by the browser tests, and
playwright's ``expect`` for them."""
import importlib
import os
import re

import pytest

from tests.conftest import ADMIN_PASSWORD
from tests.platform_factory import otp_code


def playwright_expect():
    """playwright's ``expect``, called at a test module's top: without the package (a dev dependency) the module
    is skipped, or fails when ``CRM_REQUIRE_BROWSER=1`` says the browser is part of the job (conftest.py)."""
    try:
        return importlib.import_module("playwright.sync_api").expect
    except ImportError:
        if os.environ.get("CRM_REQUIRE_BROWSER") == "1":
            raise
        pytest.skip("the playwright python package is not installed", allow_module_level=True)


def company_url(tenant, live_server):
    """The company's own host on the live server's port."""
    return f"http://{tenant.host}:{live_server.rsplit(':', 1)[1]}"


def _submit_password(page, url, username, password):
    page.goto(url)
    page.fill("#username", username)
    page.fill("#password", password)
    page.keyboard.press("Enter")


def sign_in(page, base, username="admin", password=ADMIN_PASSWORD):
    from playwright.sync_api import expect  # a dev dependency: the test modules skip without it (conftest.py)

    _submit_password(page, f"{base}/login", username, password)
    expect(page).not_to_have_url(re.compile(r"/login"))


def console_sign_in(page, base, person):
    """Sign ``person`` (tests/platform_factory.py) in to the platform console: the password, then the authenticator's
    code for an operator; the console opens on its company list."""
    from playwright.sync_api import expect

    _submit_password(page, f"{base}/console/login", person.username, person.password)
    if person.secret:
        expect(page).to_have_url(re.compile(r"/console/otp"))
        page.fill("#code", otp_code(person.secret))
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/console/companies"))


def sign_out(page):
    """Log out through the user menu in the top bar, as a person would."""
    page.locator(".user-menu").click()
    page.get_by_role("button", name="Log out").click()
