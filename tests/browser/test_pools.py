"""The lead pool (issue 15, C11) in a real browser: its pages fit a desktop and a phone and pass axe-core; releasing from the
customer's dialog needs a reason; claiming from the list makes the customer the rep's."""
import json
import re

import pytest

from tests.blueprints.pools.helpers import configure_pool, make_pool, pooled
from tests.browser.pages import DESKTOP, PHONE, browser_page, walk
from tests.browser.session import company_url, playwright_expect, sign_in
from tests.conftest import STAFF_PASSWORD

expect = playwright_expect()
pytestmark = pytest.mark.browser


@pytest.fixture
def scene(tenant, factory):
    admin = factory.admin_id(tenant)
    rep = factory.user(tenant, "rep1", superior_id=admin)
    waiting = pooled(factory, tenant, admin, "公海等待公司", phone="13911112222")
    mine = factory.customer(tenant, rep, name="我的客户公司", phone="13933334444")
    default = configure_pool(factory, tenant, rules={"no_follow_up_days": 30}, claim_per_day=5)
    team = make_pool(factory, tenant, "华东公海", members=[(rep, False)], admin_id=admin)
    return {"default": default, "team": team, "waiting": waiting, "mine": mine}


@pytest.mark.parametrize(("user", "viewport"), [("admin", DESKTOP), ("rep1", PHONE)], ids=["admin-1440", "rep-390"])
def test_pool_pages_fit_and_pass_axe(browser, live_server, tenant, scene, user, viewport):
    base = company_url(tenant, live_server)
    pages = ["/pools/", f"/pools/{scene['default']}", f"/pools/{scene['default']}/customers/{scene['waiting']}",
             f"/pools/release/{scene['mine']}"]
    if user == "admin":
        pages += [f"/pools/{scene['default']}/settings", f"/pools/{scene['team']}/settings", "/pools/new"]
    else:
        pages += [f"/pools/protect/{scene['mine']}"]
    with browser_page(browser, viewport) as (page, errors):
        sign_in(page, base, *((user, STAFF_PASSWORD) if user != "admin" else ()))
        problems = walk(page, base, pages, errors)
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)


def test_release_from_the_dialog_then_claim_it_back_from_the_list(browser, live_server, tenant, scene):
    base = company_url(tenant, live_server)
    with browser_page(browser, DESKTOP) as (page, errors):
        sign_in(page, base, "rep1", STAFF_PASSWORD)
        page.goto(f"{base}/customers/{scene['mine']}")
        page.get_by_role("button", name="Release to the pool").click()
        dialog = page.locator("#release-dialog")
        expect(dialog).to_be_visible()
        dialog.get_by_role("button", name="Release to the pool").click()
        expect(dialog.locator(".field-error")).to_have_text("Say why the customer goes back to the pool.")
        dialog.get_by_label("Reason").fill("客户已合并到集团采购")
        dialog.get_by_role("button", name="Release to the pool").click()
        expect(page).to_have_url(re.compile(r"/customers/$"))
        expect(page.get_by_text("我的客户公司 is back in the pool.")).to_be_visible()

        page.goto(f"{base}/pools/{scene['default']}")
        row = page.locator(f'tr[data-customer-id="{scene["waiting"]}"]')
        expect(row).to_contain_text("139****2222")
        row.get_by_role("button", name="Claim 公海等待公司").click()
        expect(page.locator("#pool-results .flash-success")).to_have_text("1 customer claimed.")
        expect(page.locator(f'tr[data-customer-id="{scene["waiting"]}"]')).to_have_count(0)
        page.goto(f"{base}/customers/{scene['waiting']}")
        expect(page.locator("#customer-contacts")).to_contain_text("13911112222")
        assert not [e for e in errors if "422" not in e], errors  # the refused form's 422 is expected
