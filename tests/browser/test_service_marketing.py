"""Service requests (F1) and marketing (G1) in a real browser: the queue, a request's page, the service settings,
campaigns, segments, roles and webhooks fit a desktop and pass axe-core for an admin, and the queue and a request
for the 客服 desk; the desk, whose role has no customers, sees only its own menu, takes an unassigned request and
walks it to closed with a satisfaction score (a refused resolve without a resolution on the way)."""
import json
import re

import pytest

from tests.blueprints.campaigns.helpers import campaign, segment
from tests.blueprints.service.helpers import file_request, service_team
from tests.browser.pages import DESKTOP, browser_page, walk
from tests.browser.session import company_url, playwright_expect, sign_in
from tests.conftest import STAFF_PASSWORD

expect = playwright_expect()
pytestmark = pytest.mark.browser


def _add_member(factory, tenant, campaign_id, customer_id, actor_id):
    from crm_saas.blueprints.campaigns.models import Campaign
    from crm_saas.blueprints.campaigns.services.members import add_customers
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    factory._run(tenant, lambda: add_customers(db.session.get(Campaign, campaign_id), [customer_id],
                                               actor=db.session.get(User, actor_id)))


@pytest.fixture
def scene(tenant, factory):
    """service_team; rep's customer; a request filed by rep for the desk and one nobody has taken; admin's
    campaign with that customer in it; a segment rep shares with the team."""
    ids = service_team(factory, tenant)
    customer = factory.customer(tenant, ids["rep"], name="华东机械有限公司", phone="13812345678")
    assigned = file_request(factory, tenant, ids["rep"], customer, type="after_sales", assignee_id=ids["desk"])
    waiting = file_request(factory, tenant, ids["rep"], customer, subject="设备异响", description="运行时异响")
    fair = campaign(factory, tenant, ids["admin"])
    _add_member(factory, tenant, fair, customer, ids["admin"])
    shared = segment(factory, tenant, ids["rep"], "意向客户", {"type": "intent"}, shared=True)
    return {"ids": ids, "customer": customer, "assigned": assigned, "waiting": waiting, "campaign": fair,
            "segment": shared}


@pytest.mark.parametrize("user", ["admin", "desk"])
def test_service_and_marketing_pages_fit_and_pass_axe(browser, live_server, tenant, scene, user):
    base = company_url(tenant, live_server)
    if user == "admin":
        pages = ["/service/", f"/service/{scene['assigned']}", "/service/settings", "/campaigns/",
                 f"/campaigns/{scene['campaign']}", "/segments/", f"/segments/{scene['segment']}",
                 "/settings/roles", "/settings/webhooks/"]
    else:
        pages = ["/service/?tab=unassigned", f"/service/{scene['assigned']}"]
    with browser_page(browser, DESKTOP) as (page, errors):
        sign_in(page, base, *((user, STAFF_PASSWORD) if user != "admin" else ()))
        problems = walk(page, base, pages, errors)
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)


def test_the_desk_takes_a_request_and_closes_it_with_a_score(browser, live_server, tenant, scene):
    base = company_url(tenant, live_server)
    with browser_page(browser, DESKTOP) as (page, errors):
        sign_in(page, base, "desk", STAFF_PASSWORD)
        menu = page.get_by_role("navigation", name="Main menu", exact=True)
        expect(menu.get_by_role("link", name="Service requests", exact=True)).to_be_visible()
        expect(menu.get_by_role("link", name="Customers", exact=True)).to_have_count(0)  # no customers module

        page.goto(f"{base}/service/?tab=unassigned")
        row = page.locator(f'tr[data-request-id="{scene["waiting"]}"]')
        expect(row).to_contain_text("设备异响")
        expect(page.locator(f'tr[data-request-id="{scene["assigned"]}"]')).to_have_count(0)  # taken already
        row.get_by_role("link").click()
        expect(page).to_have_url(re.compile(rf"/service/{scene['waiting']}$"))
        detail = page.locator("#service-request-detail")
        expect(detail.locator('[data-field="assignee"]')).to_have_text("Nobody yet (in the queue)")
        detail.get_by_role("button", name="Take it", exact=True).click()
        expect(detail.locator('[data-field="assignee"]')).to_have_text("Desk")
        expect(detail.get_by_role("button", name="Take it", exact=True)).to_have_count(0)

        detail.get_by_role("button", name="Start work", exact=True).click()
        expect(detail.locator("[data-status]").first).to_have_attribute("data-status", "in_progress")

        resolve = detail.locator('details[data-to="resolved"]')
        resolve.locator("summary").click()
        resolve.get_by_role("button", name="Mark resolved", exact=True).click()  # no resolution yet: refused
        expect(resolve.locator(".field-error")).to_have_text("Describe how the request was resolved.")
        resolve.get_by_label("Resolution").fill("更换电源模块后恢复正常")
        resolve.get_by_role("button", name="Mark resolved", exact=True).click()
        expect(detail.locator("[data-status]").first).to_have_attribute("data-status", "resolved")
        expect(detail.locator('[data-field="resolution"]')).to_have_text("更换电源模块后恢复正常")

        close = detail.locator('details[data-to="closed"]')
        close.locator("summary").click()
        close.get_by_role("radio", name="4 stars", exact=True).check()
        close.get_by_role("button", name="Close the request", exact=True).click()
        status = detail.locator("[data-status]").first
        expect(status).to_have_attribute("data-status", "closed")
        expect(status).to_have_text("Closed")
        expect(detail.locator('[data-field="satisfaction"]')).to_have_text("★★★★☆")
        expect(detail.locator('[data-field="satisfaction"]')).to_have_attribute("aria-label", "4 of 5")
        assert not [e for e in errors if "422" not in e], errors  # the refused resolve's 422 is expected
