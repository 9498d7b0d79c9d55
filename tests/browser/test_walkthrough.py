"""What a new customer does on day one, in a real browser against a live server.

Sign up a company, add a rep, let the rep change the password set for them,
add a customer and a deal, and drag the deal across the board. The board's
promise is that the page never shows a state the server did not accept: the
column heads follow the server's totals, and a reload shows the same thing.
"""
import re
import secrets
from decimal import Decimal

import pytest

from tests.browser.mouse import drag
from tests.browser.session import playwright_expect, sign_out
from tests.conftest import ADMIN_PASSWORD

expect = playwright_expect()

pytestmark = pytest.mark.browser

STAFF_INITIAL = "Start#2026"
STAFF_OWN = "Mine#2026x"


def submit(page):
    """Click the main form's submit button (the header holds forms of its own)."""
    page.locator("main form button[type=submit]").click()


def column(page, kind=None, index=None):
    if kind:
        return page.locator(f"ol.board-cards[data-stage-kind='{kind}']")
    return page.locator("ol.board-cards").nth(index)


def head(page, stage_id):
    """``(count, amount)`` as the column head shows them."""
    head = page.locator(f"#stage-head-{stage_id}")
    count = int(head.locator(".stage-count").get_attribute("data-count"))
    amount = Decimal(head.locator(".stage-amount").get_attribute("data-amount"))
    return count, amount


def move_response(page):
    return page.expect_response(lambda r: re.search(r"/deals/\d+/move$", r.url) and r.request.method == "POST")


def log_in(page, base, username, password):
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    submit(page)


def test_sign_up_to_dragging_a_deal(page, live_server, artifacts, instant_trial):
    port = live_server.rsplit(":", 1)[1]
    slug = f"walk-{secrets.token_hex(3)}"
    company_host = f"http://{slug}.localhost:{port}"

    # 1. Sign up on the platform host.
    page.goto(f"{live_server}/signup")
    page.fill("#company_name", "Walkthrough Trading Co.")
    page.fill("#subdomain", slug)
    page.fill("#admin_name", "Wang Admin")
    page.fill("#phone", "13800138000")
    page.fill("#email", "wang@example.com")
    page.fill("#password", ADMIN_PASSWORD)
    page.fill("#confirm", ADMIN_PASSWORD)
    submit(page)
    expect(page).to_have_url(re.compile(rf"^{re.escape(company_host)}/login\?.*username=admin"))
    expect(page.locator("h1")).to_contain_text("Walkthrough Trading Co.")

    # 2. The admin logs in; the username is already filled in.
    expect(page.locator("#username")).to_have_value("admin")
    page.fill("#password", ADMIN_PASSWORD)
    submit(page)
    expect(page).to_have_url(f"{company_host}/dashboard")  # a company's home page (issue 16)

    # 3. The admin adds a rep under themselves.
    page.get_by_role("link", name="Staff", exact=True).click()
    page.get_by_role("link", name="Add staff member").click()  # a link styled as a button
    page.fill("#name", "Li Rep")
    page.fill("#username", "lirep")
    page.fill("#password", STAFF_INITIAL)
    page.select_option("#superior_id", label="Wang Admin (admin)")
    page.select_option("#role", "rep")
    submit(page)
    expect(page).to_have_url(f"{company_host}/staff/")
    expect(page.locator("#staff-list")).to_contain_text("lirep")
    expect(page.locator("#staff-list tr", has_text="lirep")).to_contain_text("Wang Admin")

    # 4. The rep logs in and must replace the password the admin chose.
    sign_out(page)
    expect(page).to_have_url(re.compile(rf"^{re.escape(company_host)}/login"))
    log_in(page, company_host, "lirep", STAFF_INITIAL)
    expect(page).to_have_url(f"{company_host}/password")
    page.goto(f"{company_host}/customers/")  # no way around it
    expect(page).to_have_url(f"{company_host}/password")
    page.fill("#old", STAFF_INITIAL)
    page.fill("#new", STAFF_OWN)
    page.fill("#confirm", STAFF_OWN)
    submit(page)
    expect(page).to_have_url(f"{company_host}/dashboard")
    expect(page.locator(".flash-success")).to_contain_text("Your password has been changed")

    # 5. The rep adds a customer.
    page.get_by_role("link", name="Customers", exact=True).click()
    page.get_by_role("link", name="Add customer").click()
    page.fill("#name", "Shanghai Lamps Ltd")
    page.select_option("#industry", "manufacturing")
    page.select_option("#source", "exhibition")
    page.fill("#contacts-0-name", "Zhao Buyer")
    page.fill("#contacts-0-phone", "13912345678")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#customer-detail h1")).to_have_text("Shanghai Lamps Ltd")
    expect(page.locator("#customer-detail")).to_contain_text("Zhao Buyer")

    # 6. ... and a deal on that customer, which lands in the board's first column.
    deal_form = page.locator("#customer-deals form")
    deal_form.locator("input[name=name]").fill("500 desk lamps")
    deal_form.locator("input[name=amount]").fill("12500")
    deal_form.get_by_role("button", name="Add deal").click()
    expect(page.locator(".flash-success")).to_contain_text("500 desk lamps")
    page.get_by_role("link", name="Board", exact=True).click()
    expect(page).to_have_url(f"{company_host}/board")
    expect(page.locator("section.board-column")).to_have_count(6)

    source, target = column(page, index=0), column(page, index=1)
    source_id, target_id = source.get_attribute("data-stage-id"), target.get_attribute("data-stage-id")
    card = source.locator(".deal-card", has_text="500 desk lamps")
    expect(card).to_have_count(1)
    deal_id = card.get_attribute("data-deal-id")
    assert head(page, source_id) == (1, Decimal("12500"))
    assert head(page, target_id) == (0, Decimal("0"))
    page.screenshot(path=str(artifacts / "board-before-drag.png"), full_page=True)

    # 7. Drag it to the next column: the server moves it and answers with new heads.
    with move_response(page) as answer:
        drag(page, card, target)
    assert answer.value.status == 200
    expect(page.locator(f"#stage-head-{source_id} .stage-count")).to_have_attribute("data-count", "0")
    expect(page.locator(f"#stage-head-{target_id} .stage-count")).to_have_attribute("data-count", "1")
    assert head(page, source_id) == (0, Decimal("0"))
    assert head(page, target_id) == (1, Decimal("12500"))
    expect(target.locator(f"#deal-{deal_id}")).to_have_count(1)
    expect(page.locator("#board-message")).to_be_hidden()

    page.reload()
    expect(column(page, index=1).locator(f"#deal-{deal_id}")).to_have_count(1)
    expect(column(page, index=0).locator(".deal-card")).to_have_count(0)
    assert head(page, target_id) == (1, Decimal("12500"))


def test_lost_column_asks_for_a_reason(page, live_server, tenant, factory):
    """Cancelling the reason puts the card back; giving one moves it for good."""
    port = live_server.rsplit(":", 1)[1]
    host = f"http://{tenant.host}:{port}"
    admin_id = factory.admin_id(tenant)
    customer_id = factory.customer(tenant, admin_id, name="Beijing Fans")
    deal_id = factory.deal(tenant, customer_id, admin_id, name="Ceiling fans", amount="800")
    log_in(page, host, "admin", ADMIN_PASSWORD)
    expect(page).to_have_url(f"{host}/dashboard")
    page.goto(f"{host}/board")

    source, lost = column(page, index=0), column(page, kind="lost")
    source_id, lost_id = source.get_attribute("data-stage-id"), lost.get_attribute("data-stage-id")
    card = page.locator(f"#deal-{deal_id}")
    dialog = page.locator("#lost-dialog")

    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/move" in r.url else None)
    drag(page, card, lost)
    expect(dialog).to_be_visible()
    page.fill("#lost-reason", "changed my mind")  # typed, then cancelled: nothing is sent
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(source.locator(f"#deal-{deal_id}")).to_have_count(1)
    expect(lost.locator(".deal-card")).to_have_count(0)
    assert requests == []
    assert head(page, source_id) == (1, Decimal("800"))
    assert head(page, lost_id) == (0, Decimal("0"))

    drag(page, page.locator(f"#deal-{deal_id}"), lost)
    expect(dialog).to_be_visible()
    page.fill("#lost-reason", "Chose a cheaper supplier")
    with move_response(page) as answer:
        dialog.get_by_role("button", name="Mark as lost").click()
    assert answer.value.status == 200
    expect(page.locator(f"#stage-head-{lost_id} .stage-count")).to_have_attribute("data-count", "1")
    expect(page.locator(f"#stage-head-{source_id} .stage-count")).to_have_attribute("data-count", "0")
    expect(lost.locator(f"#deal-{deal_id}")).to_have_count(1)
    assert head(page, lost_id) == (1, Decimal("800"))

    page.reload()
    expect(column(page, kind="lost").locator(f"#deal-{deal_id}")).to_have_count(1)
    expect(column(page, index=0).locator(".deal-card")).to_have_count(0)

