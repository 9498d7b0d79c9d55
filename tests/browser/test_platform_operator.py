"""The operator in a real browser (issue 14): signs in with password and authenticator code, finds a company
waiting for approval, approves it, extends it by 30 days, and the page shows the new status and end date."""
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date

from tests.browser.session import console_sign_in, playwright_expect

expect = playwright_expect()

pytestmark = pytest.mark.browser


def shown_date(moment):
    """The date part of a time as the console shows it to an English reader (China time)."""
    return format_date(moment.astimezone(ZoneInfo("Asia/Shanghai")), "short", locale="en_US")


def test_the_operator_approves_a_pending_company_and_extends_it(page, live_server, platform, make_tenant):
    operator = platform.operator(name="Operator Wang")
    agency_id, _prefix = platform.agency()
    rep = platform.person(agency_id, role="rep", name="Rep Li")
    company = make_tenant(name="Waiting Works Ltd")
    platform.set_tenant(company.id, status="pending", approved_at=None, expires_at=None, agency_id=agency_id,
                        rep_id=rep.id, rep_code=rep.code)

    console_sign_in(page, live_server, operator)
    page.get_by_label("Status").select_option("pending")
    page.get_by_placeholder("Name, subdomain or phone").fill(company.slug)
    page.get_by_role("button", name="Filter").click()
    row = page.locator(f'tr[data-company-id="{company.id}"]')
    expect(row).to_contain_text("Waiting for approval")
    expect(row).to_contain_text("Rep Li")
    row.get_by_role("link", name="Waiting Works Ltd").click()

    expect(page.locator("h1")).to_contain_text("Waiting Works Ltd")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("Approved")
    expect(page.locator('[data-fact="status"]')).to_have_text("Trial")
    approved = platform.tenant(company.id)
    assert approved.status == "trial"
    expect(page.locator('[data-fact="ends"]')).to_contain_text(shown_date(approved.expires_at))

    page.get_by_label("Days to add").fill("30")
    page.get_by_role("button", name="Save the end date").click()
    expect(page.locator(".flash-success")).to_contain_text("The end date has changed.")
    extended = platform.tenant(company.id)
    assert extended.expires_at - approved.expires_at == timedelta(days=30)
    expect(page.locator('[data-fact="ends"]')).to_contain_text(shown_date(extended.expires_at))
    expect(page.locator('[data-fact="status"]')).to_have_text("Trial")
    history = page.locator(".company-history tbody tr")
    expect(history.first).to_contain_text("End date changed")
    expect(history.nth(1)).to_contain_text("Approved")
    expect(history.first).to_contain_text("Operator Wang")
