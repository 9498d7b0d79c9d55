"""One customer's life in a real browser, as the admin of a fresh company.

Add a custom field, add a customer with two contacts (the second one the main
contact), a region picked through the cascading selects, a tag and the custom
value; find it in the list by the second contact's phone; edit it inline with a
reason and read the change log; delete it, find it in the recycle bin, restore it.
Every htmx step is checked to happen without a page load.
"""
import re

import pytest

from tests.browser.session import playwright_expect
from tests.conftest import ADMIN_PASSWORD

expect = playwright_expect()

pytestmark = pytest.mark.browser

FIELD_LABEL = "客户级别"
FIELD_KEY = "ke_hu_ji_bie"  # derived from the label (pinyin)
NAME = "深圳前海星辰科技有限公司"
NEW_NAME = "深圳星辰科技有限公司"
FIRST = ("王芳", "13800138000")
SECOND = ("李强", "13912345678")
SECOND_NEW_PHONE = "13712345678"
REASON = "客户更名，李强换了手机号"


def mark_page(page):
    """Tag the window: the tag survives htmx swaps and disappears on any full page load."""
    page.evaluate("window.__same_page = true")


def expect_same_page(page):
    assert page.evaluate("window.__same_page === true"), "the page was reloaded"


def settled(locator):
    """Wait until htmx has finished with swapped-in content: it drops ``htmx-added`` once the new
    element's own hx- attributes are live (20 ms after the swap), so a click now reaches htmx."""
    expect(locator).to_be_attached()
    expect(locator).not_to_have_class(re.compile(r"\bhtmx-added\b"))


def pick(page, select_id, value):
    """Choose ``value`` in a region select, then wait for the picker the server sends back to be live."""
    page.locator("#region-picker").evaluate("picker => { picker.dataset.stale = '1' }")
    page.select_option(select_id, value)
    settled(page.locator("#region-picker:not([data-stale])"))
    expect(page.locator(select_id)).to_have_value(value)


def change_row(page, field, action="updated"):
    return page.locator(f"#customer-changes tr[data-field='{field}'][data-action='{action}']")


def test_customer_record_from_add_to_restore(page, live_server, tenant, factory):
    base = f"http://{tenant.host}:{live_server.rsplit(':', 1)[1]}"
    # Someone else's customer, so that the search has something to leave out.
    admin_id = factory._run(tenant, _admin_id)
    factory.customer(tenant, admin_id, name="广州其他贸易公司", phone="13500000000")

    page.goto(f"{base}/login")
    page.fill("#username", "admin")
    page.fill("#password", ADMIN_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login"))

    # 1. A single-choice custom field; the key comes from the Chinese label.
    page.goto(f"{base}/settings/fields/?entity=customer")
    add = page.locator("#custom-field-add")
    add.locator("#label").fill(FIELD_LABEL)
    add.locator("#type").select_option("choice")
    add.locator("#options").fill("A级\nB级\nC级")
    add.get_by_role("button", name="Add field").click()
    row = page.locator(f"#custom-field-list tr[data-key='{FIELD_KEY}']")
    expect(row).to_contain_text(FIELD_LABEL)
    expect(row).to_contain_text("A级, B级, C级")

    # 2. The add form: two contacts, the second the main one; region, tag, custom value.
    page.goto(f"{base}/customers/new")
    page.fill("#name", NAME)
    page.select_option("#industry", "it")
    page.select_option("#source", "exhibition")
    page.fill("#contacts-0-name", FIRST[0])
    page.fill("#contacts-0-phone", FIRST[1])
    mark_page(page)
    page.get_by_role("button", name="Add a contact").click()
    expect(page.locator(".contact-row")).to_have_count(2)
    settled(page.locator("#contact-rows"))
    expect(page.locator("#contacts-0-name")).to_have_value(FIRST[0])  # the first row survived the redraw
    page.fill("#contacts-1-name", SECOND[0])
    page.fill("#contacts-1-phone", SECOND[1])
    page.fill("#contacts-1-title", "采购经理")
    page.locator(".contact-row[data-index='1'] input[name=primary]").check()

    pick(page, "#province", "广东省")
    expect(page.locator("#city option[value='深圳市']")).to_be_attached()
    pick(page, "#city", "深圳市")
    expect(page.locator("#district option[value='南山区']")).to_be_attached()
    pick(page, "#district", "南山区")
    page.fill("#address", "科技园南区1号")
    page.fill("#new_tags", "重点客户")
    page.select_option(f"#custom-{FIELD_KEY}", "A级")
    expect_same_page(page)
    page.locator("#customer-form").get_by_role("button", name="Save", exact=True).click()

    # 3. The detail page: both contacts, the second marked main, the region, tag and custom value.
    expect(page).to_have_url(re.compile(r"/customers/\d+$"))
    customer_url = page.url
    expect(page.locator("#customer-detail h1")).to_contain_text(NAME)
    contacts = page.locator("#customer-contacts tbody tr")
    expect(contacts).to_have_count(2)
    main = contacts.filter(has_text=SECOND[0])
    expect(main).to_contain_text(SECOND[1])
    expect(main).to_contain_text("Main contact")
    expect(contacts.filter(has_text=FIRST[0])).to_contain_text(FIRST[1])
    expect(contacts.filter(has_text=FIRST[0])).not_to_contain_text("Main contact")
    summary = page.locator("#customer-summary")
    expect(summary).to_contain_text("广东省")
    expect(summary).to_contain_text("南山区")
    expect(summary.locator(".tag")).to_have_text(["重点客户"])
    expect(summary.locator(f"dd[data-custom='{FIELD_KEY}']")).to_have_text("A级")

    # 4. The list: typing the second contact's phone narrows the results in place and pushes the URL.
    page.get_by_role("link", name="Customers", exact=True).click()
    expect(page).to_have_url(f"{base}/customers/")
    page.wait_for_load_state()  # htmx is live once the page has loaded
    results = page.locator("#customer-results")
    expect(results.locator("tbody tr[data-customer-id]")).to_have_count(2)
    mark_page(page)
    page.locator("#customer-search").press_sequentially(SECOND[1], delay=20)
    expect(page).to_have_url(re.compile(rf"[?&]q={SECOND[1]}"))
    expect(results.locator("tbody tr[data-customer-id]")).to_have_count(1)
    expect(results).to_contain_text(NAME)
    expect(results).not_to_contain_text("广州其他贸易公司")
    expect_same_page(page)

    # 5. Inline edit with a reason: the summary and the change log update without a reload.
    results.get_by_role("link", name=NAME).click()
    expect(page).to_have_url(customer_url)
    page.wait_for_load_state()
    mark_page(page)
    page.locator("#customer-detail").get_by_role("button", name="Edit", exact=True).click()
    editor = page.locator("#customer-summary form#customer-form")
    expect(editor.locator("#reason")).to_be_visible()
    settled(page.locator("#customer-summary"))
    expect(editor.locator("#contacts-1-phone")).to_have_value(SECOND[1])
    editor.locator("#name").fill(NEW_NAME)
    editor.locator("#contacts-1-phone").fill(SECOND_NEW_PHONE)
    editor.locator("#reason").fill(REASON)
    editor.get_by_role("button", name="Save changes").click()

    expect(page.locator("#customer-summary")).to_contain_text("Changes saved.")
    expect(page.locator("#customer-detail h1")).to_have_text(NEW_NAME)  # the header follows the edit
    expect(page).to_have_title(re.compile(f"^{NEW_NAME} "))
    settled(page.locator("#customer-header"))
    expect(page.locator("#customer-summary form")).to_have_count(0)
    expect(page.locator("#customer-contacts")).to_contain_text(SECOND_NEW_PHONE)
    name_change = change_row(page, "name")
    expect(name_change).to_have_count(1)
    for text in (NAME, NEW_NAME, REASON, "Edited", "Customer name"):
        expect(name_change).to_contain_text(text)
    phone_change = change_row(page, "contact.phone")
    expect(phone_change).to_have_count(1)
    for text in (SECOND[1], SECOND_NEW_PHONE, REASON, SECOND[0]):
        expect(phone_change).to_contain_text(text)
    expect_same_page(page)

    # 6. Delete (confirming the dialog): in the recycle bin, gone from the list.
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.locator("#customer-detail").get_by_role("button", name="Delete", exact=True).click()
    expect(page).to_have_url(re.compile(r"/customers/recycle-bin$"))
    expect(page.locator(".flash-success")).to_contain_text("has been moved to the recycle bin")
    assert dialogs == [f"Move {NEW_NAME} to the recycle bin? Its deals go with it; you can restore both."]
    binned = page.locator("#recycle-bin tbody tr", has_text=NEW_NAME)
    expect(binned).to_have_count(1)
    page.goto(f"{base}/customers/?q={SECOND_NEW_PHONE}")
    expect(page.locator("#customer-results")).to_contain_text("No customers match these filters.")
    page.goto(f"{base}/customers/")
    expect(page.locator("#customer-results tbody tr[data-customer-id]")).to_have_count(1)
    expect(page.locator("#customer-results")).not_to_contain_text(NEW_NAME)

    # 7. Restore: back on its page, and the change log tells the story.
    page.goto(f"{base}/customers/recycle-bin")
    page.locator("#recycle-bin tbody tr", has_text=NEW_NAME).get_by_role("button", name="Restore").click()
    expect(page).to_have_url(customer_url)
    expect(page.locator(".flash-success")).to_contain_text("has been restored")
    expect(page.locator("#customer-detail h1")).to_contain_text(NEW_NAME)
    expect(change_row(page, "", "deleted")).to_contain_text("Moved to the recycle bin")
    expect(change_row(page, "", "restored")).to_contain_text("Restored")
    expect(change_row(page, "name")).to_contain_text(REASON)
    page.goto(f"{base}/customers/recycle-bin")
    expect(page.locator("#recycle-bin")).to_contain_text("The recycle bin is empty.")


def _admin_id():
    from sqlalchemy import select

    from crm_saas.core.users import User
    from crm_saas.extensions import db

    return db.session.scalar(select(User.id).where(User.username == "admin"))
