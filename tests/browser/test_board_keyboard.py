"""Issue 13.4/13.11: a card moves without a mouse. Tab to its "Move…" button, pick the stage from the keyboard,
and the card lands at the top of that column, saved on the server, with focus back on it; into "lost" the same
dialog as a drag asks why."""

import pytest

from tests.browser.session import company_url, playwright_expect, sign_in

expect = playwright_expect()

pytestmark = pytest.mark.browser


def test_a_card_moves_from_the_keyboard(page, live_server, tenant, factory):
    base = company_url(tenant, live_server)
    admin = factory.admin_id(tenant)
    customer = factory.customer(tenant, admin, name="键盘客户")
    deal = factory.deal(tenant, customer, admin, name="Keyboard deal", amount="5000")
    stages = factory.stages(tenant)
    second = stages[1][0]
    lost = [sid for sid, kind in stages if kind == "lost"][0]

    sign_in(page, base)
    page.goto(f"{base}/board")

    button = page.locator(f"#deal-{deal} .move-card")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#move-dialog")).to_be_visible()
    page.locator("#move-stage").select_option(str(second))  # what arrow keys in the focused select do
    page.locator("#move-dialog button[value=ok]").press("Enter")
    moved = page.locator(f"ol.board-cards[data-stage-id='{second}'] #deal-{deal}")
    expect(moved).to_be_visible()
    expect(page.locator(f"#deal-{deal} .move-card")).to_be_focused()
    page.reload()
    expect(page.locator(f"ol.board-cards[data-stage-id='{second}'] #deal-{deal}")).to_be_visible()  # saved

    page.locator(f"#deal-{deal} .move-card").focus()
    page.keyboard.press("Enter")
    page.locator("#move-stage").select_option(str(lost))
    page.locator("#move-dialog button[value=ok]").press("Enter")
    expect(page.locator("#lost-dialog")).to_be_visible()
    page.fill("#lost-reason", "预算取消")
    page.locator("#lost-dialog button[value=ok]").press("Enter")
    expect(page.locator(f"ol.board-cards[data-stage-id='{lost}'] #deal-{deal}")).to_be_visible()


def test_the_follow_up_dialog_keeps_its_save_button_in_sight(page, live_server, tenant, factory):
    """Issue 13.10: at 900 px the dialog's "Save follow-up" sat below the fold."""
    base = company_url(tenant, live_server)
    admin = factory.admin_id(tenant)
    deal = factory.deal(tenant, factory.customer(tenant, admin, name="对话框客户"), admin, name="Dialog deal")
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, base)
    page.goto(f"{base}/board")
    page.locator(f"#deal-{deal} .quick-follow-up").click()
    save = page.locator("#follow-up-dialog").get_by_role("button", name="Save follow-up")
    expect(save).to_be_visible()
    box = save.bounding_box()
    assert box["y"] + box["height"] <= 900, box


def test_the_board_fits_the_window_and_each_column_scrolls_on_its_own(page, live_server, tenant, factory):
    """Issue 13.4: with 50 cards in a column the board was about 8,000 px tall."""
    base = company_url(tenant, live_server)
    admin = factory.admin_id(tenant)
    customer = factory.customer(tenant, admin, name="高看板客户")
    for i in range(40):
        factory.deal(tenant, customer, admin, name=f"Tall deal {i}")
    first = factory.stages(tenant)[0][0]
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, base)
    page.goto(f"{base}/board")
    page.get_by_role("button", name="Hide this list").click()  # the first-run list, above the board
    expect(page.locator("#onboarding")).to_have_count(0)
    page.reload()
    cards = page.locator(f"ol.board-cards[data-stage-id='{first}']")
    expect(cards.locator(".deal-card")).to_have_count(20)  # the first cards; the rest come on scrolling
    assert page.evaluate("document.documentElement.scrollHeight") <= 900  # the page, not the board, scrolls
    assert cards.evaluate("list => list.scrollHeight > list.clientHeight + 100")  # the column scrolls instead
    head = page.locator(f"#stage-head-{first}")
    cards.evaluate("list => { list.scrollTop = list.scrollHeight; }")
    expect(cards.locator(".deal-card")).to_have_count(40)  # scrolled to its foot, the column loaded the rest
    cards.evaluate("list => { list.scrollTop = list.scrollHeight; }")
    expect(head).to_be_in_viewport()
    expect(cards.locator(".deal-card").last).to_be_in_viewport()
