"""Sales targets in a real browser: the page fits a desktop and a phone and passes axe-core; a row is edited in
place (a refusal beside its field, then saved), a target removed, and the weekly summary switched on."""
import json

import pytest

from tests.blueprints.reports.target_scene import company, target
from tests.browser.pages import DESKTOP, PHONE, browser_page, walk
from tests.browser.session import company_url, playwright_expect, sign_in
from tests.conftest import STAFF_PASSWORD

expect = playwright_expect()
pytestmark = pytest.mark.browser


@pytest.fixture
def people(tenant, factory):
    people = company(factory, tenant)
    target(factory, tenant, "won_amount", 20000, user_id=people["rep_b"])
    return people


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1440", "390"])
def test_the_targets_page_fits_and_passes_axe(browser, live_server, tenant, people, viewport):
    base = company_url(tenant, live_server)
    with browser_page(browser, viewport) as (page, errors):
        sign_in(page, base, "boss", STAFF_PASSWORD)
        problems = walk(page, base, ["/reports/targets/manage?period=2026-03",
                                     "/reports/targets/manage?period=2026-Q1"], errors)
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)


def test_edit_a_row_in_place_remove_a_target_and_subscribe(browser, live_server, tenant, people):
    base = company_url(tenant, live_server)
    with browser_page(browser, DESKTOP) as (page, errors):
        sign_in(page, base, "boss", STAFF_PASSWORD)
        page.goto(f"{base}/reports/targets/manage?period=2026-03")
        row = page.locator(f"#target-row-person-{people['rep_a']}")
        row.get_by_role("button", name="Edit").click()
        row.get_by_label("Rep A: Won amount").fill("-5")
        row.get_by_label("Rep A: New customers").fill("3")
        row.get_by_role("button", name="Save").click()
        expect(row.locator(".field-error")).to_have_text("Enter a target above 0.")
        row.get_by_label("Rep A: Won amount").fill("30000")
        row.get_by_role("button", name="Save").click()
        expect(row.locator('td[data-metric="won_amount"]')).to_contain_text("CN¥30,000.00")
        expect(row.locator('td[data-metric="new_customers"]')).to_contain_text("3")
        team = page.locator(f"#target-row-team-{people['boss']}")
        expect(team).to_have_count(0)  # their own team is their boss's to set

        other = page.locator(f"#target-row-person-{people['rep_b']}")
        page.once("dialog", lambda dialog: dialog.accept())
        other.get_by_role("button", name="Remove the target Won amount of Rep B").click()
        expect(other.locator('td[data-metric="won_amount"]')).to_have_text("None")

        page.get_by_role("button", name="Send me the weekly summary").click()
        expect(page.get_by_role("button", name="Stop the weekly summary")).to_be_visible()
        assert [e for e in errors if "422" not in e] == []  # the refused save's 422 is the only one
