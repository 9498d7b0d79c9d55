"""Signing in through the real page, shared by the browser tests, and playwright's ``expect`` for them."""
import importlib
import os
import re

import pytest

from tests.conftest import ADMIN_PASSWORD


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


def sign_in(page, base, username="admin", password=ADMIN_PASSWORD):
    from playwright.sync_api import expect  # a dev dependency: the test modules skip without it (conftest.py)

    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/login"))


def sign_out(page):
    """Log out through the user menu in the top bar, as a person would."""
    page.locator(".user-menu").click()
    page.get_by_role("button", name="Log out").click()
