"""The dashboard in a real browser (issue 16): it fits a desktop and a phone and passes axe-core with its charts
drawn; changing the range redraws it; clicking a funnel bar lands on the deals behind it."""
import json
import re
from datetime import timedelta

import pytest

from tests.blueprints.reports.dashboard_helpers import customer, deal, org
from tests.browser.pages import DESKTOP, PHONE, browser_page, walk
from tests.browser.session import company_url, playwright_expect, sign_in
from tests.conftest import STAFF_PASSWORD

expect = playwright_expect()
pytestmark = pytest.mark.browser


@pytest.fixture
def scene(tenant, factory):
    """Two deals made today (rep1's and other's), one made forty days ago (never "today")."""
    from crm_saas.core.base import utcnow

    people = org(factory, tenant)
    today = customer(factory, tenant, people["rep1"], "华东机电有限公司")
    theirs = customer(factory, tenant, people["other"], "北京远航贸易")
    deal(factory, tenant, today, people["rep1"], "华东机电一期", "12000", utcnow())
    deal(factory, tenant, theirs, people["other"], "远航年度采购", "5600.50", utcnow())
    deal(factory, tenant, theirs, people["other"], "远航旧单", "800", utcnow() - timedelta(days=40))
    return people


@pytest.mark.parametrize(("user", "viewport"), [("admin", DESKTOP), ("admin", PHONE), ("rep1", PHONE)],
                         ids=["admin-1440", "admin-390", "rep-390"])
def test_the_dashboard_fits_and_passes_axe(browser, live_server, tenant, scene, user, viewport):
    base = company_url(tenant, live_server)
    pages = ["/dashboard", "/dashboard?range=quarter", "/reports/records/new_deals?range=month",
             "/reports/records/overdue_tasks"]
    with browser_page(browser, viewport) as (page, errors):
        sign_in(page, base, *((user, STAFF_PASSWORD) if user != "admin" else ()))
        problems = walk(page, base, pages, errors)
        page.goto(f"{base}/dashboard")
        expect(page.locator("[data-chart-key=funnel] canvas")).to_have_count(1)  # ECharts drew it, within the window
        box = page.locator("[data-chart-key=funnel]").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)


def test_change_the_range_then_click_a_funnel_bar(browser, live_server, tenant, scene):
    base = company_url(tenant, live_server)
    with browser_page(browser, DESKTOP) as (page, errors):
        sign_in(page, base)
        page.goto(f"{base}/dashboard")
        expect(page.locator("[data-chart-key=funnel] canvas")).to_have_count(1)
        page.get_by_label("Range").select_option("day")
        expect(page).to_have_url(re.compile(r"range=day"))
        figures = page.locator("#dashboard-body [data-card=new_deals] .card-value")
        expect(figures).to_have_text("2")  # the deal made forty days ago is not today's
        funnel = page.locator("[data-chart-key=funnel]")
        expect(funnel.locator("canvas")).to_have_count(1)
        page.wait_for_timeout(300)  # the chart's first frame
        box = funnel.bounding_box()
        # The first of five slices (top 8 px, gaps of 2 px in a 300 px box): Initial contact.
        funnel.click(position={"x": box["width"] / 2, "y": 8 + (300 - 16 - 8) / 5 / 2})
        expect(page).to_have_url(re.compile(r"/reports/records/entered_stage\?.*stage_id=\d+"))
        expect(page.locator("h1")).to_have_text("Deals that entered Initial contact")
        rows = page.locator("#records-body tbody tr[data-deal-id]")
        expect(rows).to_have_count(2)
        expect(page.locator("#records-body tbody")).to_contain_text("华东机电一期")
        expect(page.locator("#records-body tbody")).to_contain_text("远航年度采购")
        expect(page.locator("#records-body tbody")).not_to_contain_text("远航旧单")
        assert "range=day" in page.url
        assert errors == []


def test_the_filter_bar_follows_each_choice(browser, live_server, tenant, scene):
    """The arrows step a period, a province brings its cities and drops the old city, a person picked filters;
    the bar is swapped with the figures and keeps what the pickers show."""
    base = company_url(tenant, live_server)
    with browser_page(browser, DESKTOP) as (page, errors):
        sign_in(page, base)
        page.goto(f"{base}/dashboard?range=month&from=2026-11-15")
        expect(page.locator(".scope-period-text")).to_have_text("Nov 1, 2026 – Nov 30, 2026")
        page.get_by_role("link", name="Previous period").click()
        expect(page.locator(".scope-period-text")).to_have_text("Oct 1, 2026 – Oct 31, 2026")
        expect(page).to_have_url(re.compile(r"range=month&from=2026-10-01"))
        page.get_by_label("Province").select_option("上海市")
        page.get_by_label("City").select_option("上海市")
        expect(page).to_have_url(re.compile(r"city=%E4%B8%8A%E6%B5%B7%E5%B8%82"))
        page.get_by_label("Province").select_option("浙江省")
        expect(page.get_by_label("City")).to_have_value("")
        expect(page.get_by_label("City").locator("option", has_text="杭州市")).to_have_count(1)
        assert "city=%E4" not in page.url
        page.get_by_label("Range").select_option("week")  # "This week": the dates of October go
        expect(page).to_have_url(re.compile(r"range=week&from=&"))
        picker = page.get_by_role("combobox", name="Owner")
        picker.press_sequentially("rep1", delay=30)
        options = page.get_by_role("listbox", name="Owner").get_by_role("option")
        expect(options).to_have_text(["Any owner", re.compile(r"^Rep1")])
        options.nth(1).click()
        expect(page).to_have_url(re.compile(r"owner_id=\d+"))
        expect(page.get_by_role("combobox", name="Owner")).to_have_value("Rep1")  # kept over the swap
        expect(page.locator("[data-card=new_customers] .card-value")).to_have_text("0")  # Zhejiang: none of rep1's
        assert errors == []
