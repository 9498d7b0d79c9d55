"""The selection bar in a real browser: tick the page, widen to all that match, tag them through the dialog, then
share the customer from its page's share panel; every step an htmx swap, never a page load."""
import pytest

from tests.browser.session import company_url, playwright_expect, sign_in

expect = playwright_expect()

pytestmark = pytest.mark.browser


def test_tag_all_that_match_then_share_one(page, live_server, tenant, factory):
    admin = factory.admin_id(tenant)
    factory.user(tenant, "colleague", name="同事小王", superior_id=admin)
    for i in range(30):
        factory.customer(tenant, admin, name=f"批量客户{i:02d}", phone=f"1370000{i:04d}")
    base = company_url(tenant, live_server)
    sign_in(page, base)
    page.goto(f"{base}/customers/?per_page=25")
    page.evaluate("window.__same_page = true")
    bar = page.locator("#bulk-selection")
    expect(bar.locator("[data-bulk-action=tag]")).to_be_disabled()

    page.locator("[data-bulk-page]").check()
    expect(bar.locator("[data-bulk-count]")).to_have_text("25")
    bar.get_by_role("button", name="Select all 30 matching").click()
    expect(bar.locator("[data-bulk-count]")).to_have_text("30")
    expect(bar).to_contain_text("All 30 matching customers are selected.")

    bar.locator("[data-bulk-action=tag]").click()
    dialog = page.locator("#bulk-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-bulk-count]")).to_have_text("30")
    dialog.locator("#bulk-tags").fill("华东, 重点")
    dialog.get_by_role("button", name="Add tags").click()
    expect(page.locator("#customer-results")).to_contain_text("Tags added to 30 customers.")
    expect(page.locator("#bulk-dialog")).not_to_be_visible()
    assert page.evaluate("window.__same_page === true"), "the page was reloaded"

    page.locator("#customer-results a", has_text="批量客户29").click()
    panel = page.locator("#customer-shares")
    expect(panel).to_contain_text("Only its owner and those above them see this customer.")
    panel.locator("#share-user").select_option(label="同事小王 (colleague)")
    panel.locator("#share-access").select_option("edit")
    panel.get_by_role("button", name="Share", exact=True).click()
    expect(page.locator("#customer-shares")).to_contain_text("is now shared with 同事小王")
    expect(page.locator("#customer-shares .share-list")).to_contain_text("Can edit")
