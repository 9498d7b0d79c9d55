"""A live server with CSRF on, and Debian's chromium driven by playwright.

The app under the browser is built separately from the session ``app``: the
browser must meet the real CSRF checks the test client skips. It shares the
session's database (``app`` has run the migrations first). Chromium resolves
``*.localhost`` to the loopback by itself, so tenant hosts need no DNS.

No browser is ever downloaded: without ``/usr/bin/chromium`` the tests skip,
or fail when ``CRM_REQUIRE_BROWSER=1`` says the browser is part of the job.
"""
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from crm_saas import create_app
from tests.conftest import app_config

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]


def _chromium_path():
    if os.path.exists("/usr/bin/chromium"):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def _no_browser(reason):
    if os.environ.get("CRM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (CRM_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live_server(app, servers):
    """``http://localhost:<port>``: the platform host of a threaded server with CSRF enabled."""
    live_app = create_app(app_config(servers, WTF_CSRF_ENABLED=True))
    live_app.instance_path = servers[2]
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    executable = _chromium_path()
    if not executable:
        _no_browser("Debian's chromium is not installed (/usr/bin/chromium); browser tests need it")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("the playwright python package is not installed")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts():
    """test-artifacts/ (gitignored): screenshots to look at when a browser test goes wrong."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def page(browser, artifacts, request):
    """An English-speaking page; a screenshot in test-artifacts/ when the test fails."""
    context = browser.new_context(locale="en-US", viewport={"width": 1600, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        try:
            page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
            (artifacts / f"{name}.html").write_text(page.content())
        except Exception as exc:  # the report of the real failure matters more
            print(f"could not save a screenshot: {exc}")
    context.close()
