"""An agency rep in a real browser: signs in to the console, opens one of their companies, logs a contact (添加联系记录)
in the company panel (htmx, CSRF on), and sees it at the top of the log; a contact in the future is refused by its
field, and the agency's staff pages answer their add form's username by pinyin as the name is typed."""
import re
from datetime import timedelta

import pytest

from crm_saas.core.base import utcnow
from tests.browser.session import console_sign_in, playwright_expect

expect = playwright_expect()

pytestmark = pytest.mark.browser


def test_a_rep_logs_a_contact_with_one_of_their_companies(page, live_server, platform, make_tenant):
    agency_id, _prefix = platform.agency()
    rep = platform.person(agency_id, role="rep", name="业务员 小李")
    company = make_tenant(name="浦东精工有限公司")
    now = utcnow()
    platform.set_tenant(company.id, agency_id=agency_id, rep_id=rep.id, rep_code=rep.code, status="trial",
                        approved_at=now, expires_at=now + timedelta(days=10))

    console_sign_in(page, live_server, rep)
    page.goto(f"{live_server}/console/companies/{company.id}")
    panel = page.locator("#agency-panel")
    form = panel.locator("#panel-contact-form")
    expect(form).to_be_visible()  # the panel came in (htmx) with the rep's form

    future = (now + timedelta(days=2)).astimezone().strftime("%Y-%m-%dT%H:%M")
    form.locator("#panel-occurred_at").fill(future)
    form.locator("#panel-summary").fill("电话沟通，下周上门演示")
    form.get_by_role("button", name="Log the contact").click()
    expect(page.locator("#panel-occurred_at-error")).to_have_text("A contact cannot be in the future.")
    expect(page.locator("#panel-summary")).to_have_value("电话沟通，下周上门演示")  # nothing typed is lost

    page.locator("#panel-occurred_at").fill("")
    page.locator("#panel-way").select_option(label="Visit")
    page.get_by_role("button", name="Log the contact").click()
    expect(page.locator("#agency-panel-message")).to_have_text("Contact logged.")
    first = page.locator("#panel-contact-log li").first
    expect(first).to_contain_text("电话沟通，下周上门演示")
    expect(first).to_contain_text("Visit")
    expect(first).to_contain_text("业务员 小李")
    expect(page.locator("#panel-occurred_at-error")).to_have_count(0)

    page.reload()  # stored, not just shown
    expect(page.locator("#panel-contact-log li").first).to_contain_text("电话沟通，下周上门演示")


def test_an_agency_admin_adds_a_rep_whose_username_comes_from_the_name(page, live_server, platform):
    agency_id, prefix = platform.agency()
    admin = platform.person(agency_id, role="admin")
    console_sign_in(page, live_server, admin)
    page.goto(f"{live_server}/console/staff/new")
    page.locator("#name").press_sequentially("张三海", delay=30)
    expect(page.locator("#username")).to_have_value(re.compile(r"^zhangsh\d*$"))
    username = page.locator("#username").input_value()
    expect(page.locator("#code option").first).to_have_attribute("value", re.compile(f"^{prefix}"))
    page.fill("#password", "Start#Kite2027")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#staff-list")).to_contain_text(username)
