"""The report centre in a real browser (issue 16): every report fits a desktop and a phone and passes axe-core with
its chart drawn; a column head re-sorts the table in place; a figure opens exactly the records it counts."""
import json
import re

import pytest

from tests.blueprints.reports.report_scenes import closed, team
from tests.browser.pages import DESKTOP, PHONE, browser_page, walk
from tests.browser.session import company_url, playwright_expect, sign_in
from tests.conftest import STAFF_PASSWORD

expect = playwright_expect()
pytestmark = pytest.mark.browser
MARCH = "?range=month&from=2025-03-01"


@pytest.fixture
def scene(tenant, factory):
    """March 2025: ana won 3 deals and lost 5; ben won one of 5,000."""
    ids = team(factory, tenant)
    for amount in ("1000", "2000", "3000"):
        closed(factory, tenant, ids["ana"], "won", amount=amount)
    for _ in range(5):
        closed(factory, tenant, ids["ana"], "lost")
    closed(factory, tenant, ids["ben"], "won", amount="5000")
    return ids


def report_paths(app):
    from crm_saas.blueprints.reports.services.registry import all_reports

    with app.app_context():
        return ["/reports/"] + [f"/reports/{key}{MARCH}" for key in all_reports()]


@pytest.mark.parametrize(("user", "viewport"), [("admin", DESKTOP), ("admin", PHONE), ("mid", PHONE)],
                         ids=["admin-1440", "admin-390", "supervisor-390"])
def test_every_report_fits_and_passes_axe(app, browser, live_server, tenant, scene, user, viewport):
    base = company_url(tenant, live_server)
    with browser_page(browser, viewport) as (page, errors):
        sign_in(page, base, *((user, STAFF_PASSWORD) if user != "admin" else ()))
        problems = walk(page, base, report_paths(app), errors)
        page.goto(f"{base}/reports/sales-by-owner{MARCH}")
        expect(page.locator("#report-chart canvas")).to_have_count(1)  # ECharts drew it
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)


def test_sort_by_a_column_then_open_the_deals_behind_a_figure(browser, live_server, tenant, scene):
    base = company_url(tenant, live_server)
    with browser_page(browser, DESKTOP) as (page, errors):
        sign_in(page, base)
        page.goto(f"{base}/reports/sales-by-owner{MARCH}")
        first = page.locator("#report-table tbody tr").first.locator("td").first
        expect(first).to_have_text("Ana")  # the won amount, biggest first: 6,000 against 5,000
        page.get_by_role("link", name="Deals lost").click()
        expect(page).to_have_url(re.compile(r"sort=-lost_count"))
        expect(first).to_have_text("Ana")
        page.get_by_role("link", name=re.compile("^Deals lost")).click()  # again: the fewest first
        expect(page).to_have_url(re.compile(r"sort=lost_count"))
        expect(first).to_have_text("Ben")
        page.locator("#report-table tbody tr", has_text="Ana").locator("td").nth(3).get_by_role("link").click()
        expect(page).to_have_url(re.compile(r"/reports/records/sales_lost\?"))
        expect(page.locator("#records-body [data-total]")).to_have_attribute("data-total", "5")
        assert errors == []
