"""Every main page in a real browser, on a desktop (1440x900) and a phone (390x844), as the admin and as a rep
(issue 13): nothing wider than the window, no console error, no serious or critical axe-core violation; the
menu shows a rep only what they may open; at least 15 customers above the fold on the desktop. What each page
must be is checked in pages.py.
"""
import json
import re
from contextlib import contextmanager

import pytest

from tests.browser.pages import DESKTOP, PHONE, browser_page, open_phone_menu, walk
from tests.browser.session import company_url, playwright_expect, sign_in
from tests.conftest import STAFF_PASSWORD

expect = playwright_expect()

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(tenant, factory):
    """A company with a rep under the admin, customers and deals of both, and twenty customers for the fold."""
    admin = factory.admin_id(tenant)
    rep = factory.user(tenant, "rep1", role="rep", superior_id=admin)
    mine = factory.customer(tenant, rep, name="华东机电有限公司", phone="021-5555 1234")
    rep_deal = factory.deal(tenant, mine, rep, name="华东机电一期", amount="864000")
    theirs = factory.customer(tenant, admin, name="Admin Co", phone="13900001111")
    admin_deal = factory.deal(tenant, theirs, admin, name="Admin deal", amount="8644000")
    for n in range(20):
        factory.customer(tenant, admin, name=f"Fold customer {n:02d}", phone=f"1390000{n:04d}")
    return {"admin": (theirs, admin_deal), "rep": (mine, rep_deal)}


def main_pages(role, customer, deal):
    pages = ["/board", "/deals", f"/deals/{deal}", "/deals/new", "/customers/", f"/customers/{customer}",
             "/customers/new", "/customers/duplicates", "/agenda", "/me", "/search?q=13"]
    if role == "admin":
        pages += ["/staff/", "/staff/tree", "/approvals/", "/audit/operations", "/audit/logins", "/settings/",
                  "/settings/fields/", "/settings/pipelines/", "/customers/recycle-bin"]
    return pages


@contextmanager
def signed_in(browser, base, viewport, user="admin", locale="en-US"):
    """``(page, console errors)`` of a person signed in at ``viewport``, in a browser context of their own."""
    with browser_page(browser, viewport, locale) as (page, errors):
        sign_in(page, base, *((user, STAFF_PASSWORD) if user != "admin" else ()))
        yield page, errors


def open_filters(page):
    """The customer list's filter drawer, opened and done opening (Bootstrap then focuses the drawer itself)."""
    page.get_by_role("button", name="Filters").click()
    drawer = page.locator("#customer-filter-drawer")
    expect(drawer).to_be_visible()
    expect(drawer).not_to_have_class(re.compile(r"\bshowing\b"))
    return drawer


@pytest.mark.parametrize(("role", "viewport", "locale"), [
    ("admin", DESKTOP, "en-US"), ("admin", PHONE, "en-US"), ("rep", DESKTOP, "en-US"), ("rep", PHONE, "en-US"),
    ("admin", PHONE, "zh-CN"), ("rep", DESKTOP, "zh-CN"),  # Chinese labels are shorter or longer: both checked
], ids=["admin-1440x900", "admin-390x844", "rep-1440x900", "rep-390x844", "admin-390x844-zh", "rep-1440x900-zh"])
def test_main_pages_fit_and_pass_axe(browser, live_server, tenant, scene, role, viewport, locale):
    base = company_url(tenant, live_server)
    with signed_in(browser, base, viewport, "rep1" if role == "rep" else "admin", locale) as (page, errors):
        problems = walk(page, base, main_pages(role, *scene[role]), errors,
                        lang="zh-CN" if locale == "zh-CN" else None)
        assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)


def test_a_rep_sees_only_what_they_may_open_and_the_phone_menu_opens(browser, live_server, tenant, scene):
    base = company_url(tenant, live_server)
    with signed_in(browser, base, PHONE, "rep1") as (page, _errors):
        page.goto(f"{base}/customers/")
        _menu, names = open_phone_menu(page, "Customers")
        # A rep alone in their branch: no staff list of one, no bin they cannot act in, no logs or settings.
        for hidden in ("Staff", "Recycle bin", "Logs", "Settings", "Approvals"):
            assert not any(hidden in name for name in names), names
        assert page.locator("#bulk-transfer").count() == 0  # nobody within reach to hand customers to
        page.goto(f"{base}/staff/")
        assert page.locator("h1").count()  # the page itself still answers: the menu only hides it


def test_fifteen_customers_above_the_fold_at_1440x900(browser, live_server, tenant, scene):
    base = company_url(tenant, live_server)
    with signed_in(browser, base, DESKTOP) as (page, _errors):
        page.goto(f"{base}/customers/")
        rows = page.locator("#customer-results tbody tr[data-customer-id]")
        expect(rows.first).to_be_visible()
        above = page.evaluate("""() => [...document.querySelectorAll('#customer-results tbody tr[data-customer-id]')]
            .filter(row => row.getBoundingClientRect().bottom <= window.innerHeight).length""")
        assert above >= 15, above


def test_filters_show_as_removable_chips(browser, live_server, tenant, scene):
    base = company_url(tenant, live_server)
    with signed_in(browser, base, DESKTOP) as (page, _errors):
        page.goto(f"{base}/customers/")
        drawer = open_filters(page)
        drawer.get_by_label("Industry").select_option("it")
        chip = page.locator(".filter-chip")
        expect(chip).to_contain_text("Industry: IT / Internet")
        drawer.get_by_role("button", name="Close the filters").click()
        expect(drawer).to_be_hidden()
        chip.click()
        expect(page.locator(".filter-chip")).to_have_count(0)
        expect(page.locator("#customer-results")).to_contain_text("22 customers")


def test_the_deal_stage_bar_moves_with_one_click_and_lost_asks_why(browser, live_server, tenant, scene):
    base = company_url(tenant, live_server)
    _customer, deal = scene["admin"]
    with signed_in(browser, base, DESKTOP) as (page, _errors):
        page.goto(f"{base}/deals/{deal}")
        bar = page.locator(".stage-bar")
        expect(bar.locator("[aria-current=step]")).to_have_text("Initial contact")
        bar.get_by_role("button", name="Proposal").click()
        expect(bar.locator("[aria-current=step]")).to_have_text("Proposal")
        page.get_by_role("button", name="Lost", exact=True).click()  # not "Mark as lost", in the menu it opens
        page.get_by_label("Why was this deal lost?").fill("Budget cut")
        page.get_by_role("button", name="Mark as lost").click()
        expect(page.locator("#deal-header")).to_contain_text("Lost: Budget cut")
        expect(page.locator("#deal-history")).to_contain_text("Budget cut")


def test_the_new_deal_form_finds_and_chooses_its_customer_in_one_box(browser, live_server, tenant, scene):
    """Issue 13.10: the customer was a search box plus a select; now one combobox, by keyboard too."""
    base = company_url(tenant, live_server)
    with signed_in(browser, base, DESKTOP, "rep1") as (page, errors):
        page.goto(f"{base}/deals/new")
        page.fill("#name", "华东机电二期")
        box = page.get_by_role("combobox", name="Customer")
        box.press_sequentially("华东", delay=30)
        options = page.get_by_role("listbox", name="Customer").get_by_role("option")
        expect(options).to_have_count(1)  # the admin's customers are not the rep's to choose
        expect(options.first).to_contain_text("华东机电有限公司")
        box.press("ArrowDown")
        box.press("Enter")
        expect(box).to_have_value(re.compile(r"^华东机电有限公司 \("))
        box.blur()
        expect(page.get_by_role("listbox", name="Customer")).to_be_hidden()
        page.get_by_role("button", name="Save").click()
        expect(page.locator("#deal-header h1")).to_have_text("华东机电二期")
        expect(page.locator("#deal-header")).to_contain_text("Customer: 华东机电有限公司")
        assert errors == []


def test_the_owner_filter_asks_as_one_types_and_filters_on_a_choice(browser, live_server, tenant, scene):
    """A company may have thousands of people: owner filters are pickers, not selects of everyone."""
    base = company_url(tenant, live_server)
    with signed_in(browser, base, DESKTOP) as (page, errors):
        page.goto(f"{base}/customers/")
        drawer = open_filters(page)
        picker = drawer.get_by_role("combobox", name="Owner")
        picker.press_sequentially("rep", delay=30)
        options = page.get_by_role("listbox", name="Owner").get_by_role("option")
        expect(options).to_have_text(["Any owner", re.compile(r"^Rep1")])
        options.nth(1).click()
        expect(page.locator(".filter-chip")).to_contain_text("Owner: Rep1")
        expect(page.locator("#customer-results")).to_contain_text("1 customer")
        expect(page).to_have_url(re.compile(r"owner_id=\d+"))
        assert "q=rep" not in page.url  # the picker's own typing is not a filter
        assert errors == []


def test_on_a_phone_the_board_shows_one_stage_and_its_tab(browser, live_server, tenant, scene):
    base = company_url(tenant, live_server)
    with signed_in(browser, base, PHONE) as (page, errors):
        page.goto(f"{base}/board")
        tabs = page.get_by_role("navigation", name="Stages").get_by_role("link")
        expect(tabs.first).to_have_attribute("aria-current", "true")
        columns = page.locator("#board .board-column")

        def in_sight():  # the columns whose left edge is in the window, across it
            return page.evaluate("""() => [...document.querySelectorAll('#board .board-column')]
                .filter(c => { const r = c.getBoundingClientRect(); return r.left >= -1 && r.right <= innerWidth + 1; })
                .map(c => c.id)""")

        assert in_sight() == [columns.nth(0).get_attribute("id")]  # one stage fills the screen
        tabs.nth(2).click()  # Proposal
        expect(tabs.nth(2)).to_have_attribute("aria-current", "true")
        assert in_sight() == [columns.nth(2).get_attribute("id")]
        expect(tabs.first).not_to_have_attribute("aria-current", "true")
        assert errors == []
