"""The platform console's pages in a real browser (issue 14), as test_shell.py walks the company side's: an
operator's and an agency administrator's main pages on a desktop (1440x900) and a phone (390x844), and one run in
Chinese; each page answers 200, is no wider than the window, logs no console error and has no serious or critical
axe-core violation. A rep's menu offers neither the agency's staff nor the agencies, and opens on a phone."""
import json
import re
from contextlib import contextmanager
from datetime import timedelta

import pytest

from crm_saas.core.base import utcnow
from tests.browser.pages import DESKTOP, PHONE, browser_page, open_phone_menu, walk
from tests.browser.session import console_sign_in, playwright_expect

expect = playwright_expect()

pytestmark = pytest.mark.browser


def _follow_up(app, tenant_id, rep_id):
    """A contact record and a waiting extension request on the company, as its rep would leave them, and one of
    its users online."""
    from crm_saas.blueprints.platform.services import contacts
    from crm_saas.extensions import db
    from crm_saas.tenants import lifecycle
    from crm_saas.tenants.models import PlatformUser, Tenant, TenantPresence

    with app.app_context():
        try:
            tenant, rep = db.session.get(Tenant, tenant_id), db.session.get(PlatformUser, rep_id)
            contacts.add_contact(tenant, {"way": "visit", "summary": "上门演示，客户很满意，下周再联系",
                                          "next_contact_at": None}, actor=rep)
            lifecycle.request_extension(tenant, 30, "客户需要更多时间评估", actor=rep)
            db.session.add(TenantPresence(tenant_id=tenant_id, user_id=1, name="在线 小陈", seen_at=utcnow()))
            db.session.commit()
        finally:
            db.session.remove()


@pytest.fixture
def console(app, platform, make_tenant):
    """An operator, an agency (admin > rep), a company of the rep waiting for approval and one on trial with a
    contact record and an extension request."""
    agency_id, _prefix = platform.agency(name="华东代理 Agency")
    admin = platform.person(agency_id, role="admin", name="代理管理员 Admin")
    rep = platform.person(agency_id, role="rep", superior_id=admin.id, name="业务员 小李")
    now = utcnow()
    pending = make_tenant(name="Waiting Works 等待审核有限公司")
    platform.set_tenant(pending.id, status="pending", approved_at=None, expires_at=None, agency_id=agency_id,
                        rep_id=rep.id, rep_code=rep.code, contact_name="张经理", contact_phone="13812345678",
                        contact_email="zhang@example.com")
    trial = make_tenant(name="浦东精工有限公司 Trial Co")
    platform.set_tenant(trial.id, status="trial", approved_at=now, expires_at=now + timedelta(days=5),
                        agency_id=agency_id, rep_id=rep.id, rep_code=rep.code)
    _follow_up(app, trial.id, rep.id)
    return {"operator": platform.operator(name="运营 王"), "admin": admin, "rep": rep, "agency_id": agency_id,
            "pending": pending.id, "trial": trial.id}


def console_pages(role, scene):
    if role == "operator":
        return ["/console/companies", f"/console/companies/{scene['pending']}",
                f"/console/companies/{scene['trial']}", "/console/extensions", "/console/online",
                "/console/reports/reps", "/console/agencies", "/console/agencies/new",
                f"/console/agencies/{scene['agency_id']}", "/console/log", "/console/settings", "/console/password"]
    return ["/console/companies", "/console/companies/new", f"/console/companies/{scene['trial']}",
            f"/console/companies/{scene['pending']}", "/console/staff", "/console/staff/tree", "/console/staff/new",
            "/console/extensions", "/console/reports/reps"]


@contextmanager
def signed_in(browser, base, person, viewport, locale="en-US"):
    """``(page, console errors)`` of ``person`` signed in to the console at ``viewport``, in a context of their own."""
    with browser_page(browser, viewport, locale) as (page, errors):
        console_sign_in(page, base, person)
        yield page, errors


@pytest.mark.parametrize(("role", "viewport", "locale"), [
    ("operator", DESKTOP, "en-US"), ("operator", PHONE, "en-US"), ("admin", DESKTOP, "en-US"),
    ("admin", PHONE, "en-US"), ("operator", PHONE, "zh-CN"),
], ids=["operator-1440x900", "operator-390x844", "agency-admin-1440x900", "agency-admin-390x844",
        "operator-390x844-zh"])
def test_console_pages_fit_and_pass_axe(browser, live_server, console, role, viewport, locale):
    with signed_in(browser, live_server, console[role], viewport, locale) as (page, errors):
        problems = walk(page, live_server, console_pages(role, console), errors,
                        lang="zh-CN" if locale == "zh-CN" else "en", one_h1=True)
        assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)


def test_a_reps_console_menu_leaves_out_staff_and_agencies_and_opens_on_a_phone(browser, live_server, console):
    with signed_in(browser, live_server, console["rep"], PHONE) as (page, errors):
        menu, names = open_phone_menu(page, "Companies")
        assert any("Extension requests" in name for name in names), names
        for hidden in ("Agency staff", "Agencies", "Rep follow-up", "Operation log", "Platform settings"):
            assert not any(hidden in name for name in names), names
        menu.get_by_role("link", name="Extension requests").click()
        expect(page).to_have_url(re.compile(r"/console/extensions"))
        expect(page.locator(f'tr[data-request-id] a[href$="/console/companies/{console["trial"]}"]')).to_be_visible()
        assert errors == []


def test_an_extension_asked_in_the_panel_shows_once_in_the_pages_own_list(browser, live_server, console, platform,
                                                                          make_tenant):
    """The company page lists extension requests in one card; the agency panel only asks (htmx), and the card
    comes along with its answer."""
    company = make_tenant(name="闵行精密有限公司")
    now = utcnow()
    platform.set_tenant(company.id, status="trial", approved_at=now, expires_at=now + timedelta(days=3),
                        agency_id=console["agency_id"], rep_id=console["rep"].id, rep_code=console["rep"].code)
    with signed_in(browser, live_server, console["rep"], DESKTOP) as (page, errors):
        page.goto(f"{live_server}/console/companies/{company.id}")
        card = page.locator("#company-extensions")
        expect(card).to_contain_text("No extension requests.")
        form = page.locator("#panel-extension-form")
        form.get_by_label("Days").fill("20")
        form.get_by_label("Reason").fill("客户在走采购流程")
        form.get_by_role("button", name="Ask for an extension").click()
        expect(page.locator("#agency-panel-message")).to_have_text(
            "Extension of 20 days requested: it waits for a decision.")
        expect(card.locator("tr[data-request-id]")).to_have_count(1)
        expect(card.locator("tr[data-request-id]")).to_contain_text("客户在走采购流程")
        expect(card.locator("[data-request-status]")).to_have_text("Waiting")
        expect(page.locator("#agency-panel [data-request-id]")).to_have_count(0)  # listed once, in the card
        expect(page.locator("#panel-extension-form")).to_have_count(0)  # one waiting request at a time
        expect(page.locator("#agency-panel")).to_contain_text("A request waits for a decision")
        page.locator("#agency-panel").get_by_role("link", name=re.compile("Every request")).click()
        expect(page).to_have_url(re.compile(r"#company-extensions$"))
        assert errors == []
