"""The top bar's search in a real browser: "/" focuses it, results come grouped as one types, without a page
load, a click on one opens it, Escape closes the box (issue 13.6)."""
import re

import pytest

from tests.browser.session import company_url, playwright_expect, sign_in

expect = playwright_expect()

pytestmark = pytest.mark.browser


def test_slash_types_into_the_search_and_results_come_as_one_types(page, live_server, tenant, factory):
    base = company_url(tenant, live_server)
    admin_id = factory.admin_id(tenant)
    customer = factory.customer(tenant, admin_id, name="北京座机客户", phone="010-8888 6666")
    factory.deal(tenant, customer, admin_id, name="座机一期")
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    sign_in(page, base)
    page.goto(f"{base}/customers/")
    page.evaluate("window.__same_page = true")
    assert errors == [], errors  # the board after sign-in and this page: no 404 (favicon), no eval refused

    page.locator("body").press("/")
    box = page.locator("#global-search")
    expect(box).to_be_focused()
    box.press_sequentially("6666", delay=30)  # the last four digits of a number typed with a dash and a space
    results = page.locator("header #global-search-results")
    expect(results.locator("[data-group=contacts]")).to_contain_text("010-8888 6666")
    expect(results.locator("[data-group=customers]")).to_contain_text("北京座机客户")
    assert page.evaluate("window.__same_page === true")

    box.fill("座机")
    expect(results.locator("[data-group=deals]")).to_contain_text("座机一期")
    box.press("Escape")
    expect(results).to_be_hidden()

    assert errors == [], errors
    box.focus()
    box.fill("座机一")
    results.get_by_role("link", name="座机一期").click()
    expect(page).to_have_url(re.compile(r"/deals/\d+$"))
    assert errors == [], errors
