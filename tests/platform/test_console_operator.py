"""The operator's work through the console's pages: a company's life (approve, extend, suspend, reactivate,
rename, reset the admin's password), extension requests, agencies, the log, the settings and the rep report.

Every change shows in the company's history and the platform log; every refusal names its field (422) and
changes nothing.
"""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from crm_saas.core.base import utcnow
from tests.conftest import login
from tests.platform_factory import company, signed_in, text


@pytest.fixture
def operator(platform, client_for):
    return signed_in(platform, client_for, platform.operator(name="运营 赵"))


@pytest.fixture
def agency(platform):
    agency_id, prefix, people = platform.agency_tree(admin=("admin", None, "Agency Admin"),
                                                     rep=("rep", "admin", "Agency Rep"))
    return {"id": agency_id, "prefix": prefix, **people}


def history(operator, tenant_id):
    """The actions in the company page's history, newest first."""
    return re.findall(r'<tr data-action="([a-z_]+)"', text(operator.get(f"/console/companies/{tenant_id}")))


def test_the_operator_runs_a_company_through_its_life_from_the_page(operator, platform, make_tenant, agency, app):
    row = company(make_tenant, platform, agency["rep"], status="pending", approved_at=None, expires_at=None)
    page = text(operator.get(f"/console/companies/{row.id}"))
    assert 'id="action-approve"' in page and "Waiting for approval" in page

    response = operator.post(f"/console/companies/{row.id}/approve", follow_redirects=True)
    assert response.status_code == 200 and "Approved: the company can sign in" in text(response)
    approved = platform.tenant(row.id)
    assert approved.status == "trial" and approved.expires_at > utcnow()

    response = operator.post(f"/console/companies/{row.id}/extend", data={"extend-days": "30"})
    assert response.status_code == 302
    extended = platform.tenant(row.id)
    assert extended.expires_at - approved.expires_at == timedelta(days=30)

    until = date.today() + timedelta(days=400)
    response = operator.post(f"/console/companies/{row.id}/extend",
                             data={"extend-until": until.isoformat(), "extend-paid": "y"}, follow_redirects=True)
    assert response.status_code == 200 and "Paid subscription" in text(response)
    paid = platform.tenant(row.id)
    assert paid.expires_at.date() == until and paid.paid and paid.status == "active"

    response = operator.post(f"/console/companies/{row.id}/suspend", data={"suspend-reason": "Unpaid invoice"})
    assert response.status_code == 302 and platform.tenant(row.id).status == "suspended"
    assert "Unpaid invoice" in text(operator.get(f"/console/companies/{row.id}"))

    response = operator.post(f"/console/companies/{row.id}/reactivate")
    assert response.status_code == 302 and platform.tenant(row.id).status == "active"

    response = operator.post(f"/console/companies/{row.id}/rename", data={"rename-name": "新名字 有限公司"})
    assert response.status_code == 302 and platform.tenant(row.id).name == "新名字 有限公司"

    assert history(operator, row.id)[:6] == ["renamed", "reactivated", "suspended", "extended", "extended",
                                             "approved"]
    log = text(operator.get(f"/console/log?company={row.id}"))
    for words in ("Approved", "End date changed", "Suspended", "Reactivated", "Renamed", "运营 赵", "Unpaid invoice",
                  "新名字 有限公司"):
        assert words in log, words
    renamed = text(operator.get(f"/console/log?company={row.id}&action=renamed"))
    assert renamed.count('<tr data-action="') == 1 and "Company " in renamed  # the old name, before → after


def test_refusals_name_their_field_and_change_nothing(operator, platform, make_tenant):
    row = company(make_tenant, platform, status="pending", approved_at=None, expires_at=None)

    response = operator.post(f"/console/companies/{row.id}/reject", data={"reject-reason": "  "})
    assert response.status_code == 422
    assert re.search(r'id="reject-reason-error" class="field-error">Give a reason\.', text(response))
    assert platform.tenant(row.id).status == "pending"

    response = operator.post(f"/console/companies/{row.id}/extend", data={"extend-days": "30"})
    assert response.status_code == 422 and "Not possible while the company is Waiting for approval" in text(response)

    platform.set_tenant(row.id, status="trial", approved_at=utcnow(), expires_at=utcnow() + timedelta(days=5))
    for data, field, message in (
        ({"extend-days": "abc"}, "extend-days", "Give a whole number of days"),
        ({"extend-days": "0"}, "extend-days", "Give a whole number of days"),
        ({}, "extend-days", "Give either a number of days or an end date."),
        ({"extend-days": "3", "extend-until": "2099-01-01"}, "extend-days", "Give either a number of days"),
        ({"extend-until": "yesterday"}, "extend-until", "Enter a date."),
        ({"extend-until": "2001-01-01"}, "extend-until", "The end date must be in the future."),
    ):
        response = operator.post(f"/console/companies/{row.id}/extend", data=data)
        assert response.status_code == 422, data
        assert re.search(rf'id="{field}-error" class="field-error">{re.escape(message)}', text(response)), data
    assert (platform.tenant(row.id).expires_at - utcnow()).days == 4  # untouched

    response = operator.post(f"/console/companies/{row.id}/suspend", data={})
    assert response.status_code == 422 and 'id="suspend-reason-error"' in text(response)
    response = operator.post(f"/console/companies/{row.id}/rename", data={"rename-name": ""})
    assert response.status_code == 422 and "Company name is required." in text(response)
    response = operator.post(f"/console/companies/{row.id}/reactivate")
    assert response.status_code == 422 and "Not possible while the company is Trial" in text(response)
    response = operator.post(f"/console/companies/{row.id}/assign", data={"assign-rep_id": "abc"})
    assert response.status_code == 422 and 'id="assign-rep_id-error"' in text(response)
    assert platform.tenant(row.id).status == "trial"
    assert history(operator, row.id) == []


def test_the_admins_password_reset_is_typed_twice_and_forces_a_change(operator, platform, make_tenant,
                                                                      client_for):
    row = company(make_tenant, platform, status="trial")
    response = operator.post(f"/console/companies/{row.id}/admin-password",
                             data={"password-password": "Brand#New2026", "password-confirm": "Brand#New2027"})
    assert response.status_code == 422 and "The two passwords differ." in text(response)
    response = operator.post(f"/console/companies/{row.id}/admin-password",
                             data={"password-password": "short", "password-confirm": "short"})
    assert response.status_code == 422 and 'id="password-password-error"' in text(response)

    response = operator.post(f"/console/companies/{row.id}/admin-password",
                             data={"password-password": "Brand#New2026", "password-confirm": "Brand#New2026"},
                             follow_redirects=True)
    assert response.status_code == 200 and "must change it at their next sign-in" in text(response)
    staff = client_for(row)
    assert login(staff, "admin", row.admin_password).status_code == 401  # the old one no longer works
    response = login(staff, "admin", "Brand#New2026")
    assert response.status_code == 302 and "password" in response.headers["Location"]
    assert history(operator, row.id)[0] == "admin_password_reset"


def test_an_agency_rep_renames_their_company_but_cannot_approve_it(platform, client_for, make_tenant, agency):
    row = company(make_tenant, platform, agency["rep"], status="pending", approved_at=None, expires_at=None)
    rep = signed_in(platform, client_for, agency["rep"])
    assert rep.post(f"/console/companies/{row.id}/approve").status_code == 404
    assert rep.post(f"/console/companies/{row.id}/extend", data={"extend-days": "9"}).status_code == 404
    assert rep.post(f"/console/companies/{row.id}/rename", data={"rename-name": "By the rep"}).status_code == 302
    tenant = platform.tenant(row.id)
    assert tenant.status == "pending" and tenant.name == "By the rep"


def test_the_operator_assigns_a_company_to_another_agencys_rep(operator, platform, make_tenant, agency):
    row = company(make_tenant, platform, agency["rep"], status="trial")
    other_agency, _prefix = platform.agency()
    newcomer = platform.person(other_agency, role="rep", name="Newcomer")
    response = operator.post(f"/console/companies/{row.id}/assign",
                             data={"assign-rep_id": str(newcomer.id), "assign-reason": "Moved region"})
    assert response.status_code == 302
    tenant = platform.tenant(row.id)
    assert (tenant.agency_id, tenant.rep_id, tenant.rep_code) == (other_agency, newcomer.id, newcomer.code)
    assert "Moved region" in text(operator.get(f"/console/companies/{row.id}"))


def _ask_extension(app, tenant_id, person_id, days=10, reason="Customer needs time"):
    from crm_saas.extensions import db
    from crm_saas.tenants import lifecycle
    from crm_saas.tenants.models import PlatformUser, Tenant

    with app.app_context():
        row = lifecycle.request_extension(db.session.get(Tenant, tenant_id), days, reason,
                                          actor=db.session.get(PlatformUser, person_id))
        request_id = row.id
        db.session.remove()
    return request_id


def test_extension_requests_are_listed_to_those_who_see_them_and_decided_by_the_operator(
        operator, platform, client_for, make_tenant, agency, app):
    row = company(make_tenant, platform, agency["rep"], status="trial", expires_at=utcnow() + timedelta(days=2))
    request_id = _ask_extension(app, row.id, agency["rep"].id, days=10)

    rep = signed_in(platform, client_for, agency["rep"])
    listing = text(rep.get("/console/extensions"))
    assert f'data-request-id="{request_id}"' in listing and "Customer needs time" in listing
    assert "extension_approve" not in listing and f"/extensions/{request_id}/approve" not in listing
    assert rep.post(f"/console/extensions/{request_id}/approve").status_code == 404

    stranger = platform.person(platform.agency()[0], role="admin")
    elsewhere = signed_in(platform, client_for, stranger)
    assert f'data-request-id="{request_id}"' not in text(elsewhere.get("/console/extensions"))

    response = operator.post(f"/console/extensions/{request_id}/reject", data={"reason": ""})
    assert response.status_code == 422 and "Give a reason." in text(response)
    before = platform.tenant(row.id).expires_at
    response = operator.post(f"/console/extensions/{request_id}/approve",
                             data={"next": f"/console/companies/{row.id}"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/console/companies/{row.id}")
    assert platform.tenant(row.id).expires_at - before == timedelta(days=10)
    page = text(operator.get(f"/console/companies/{row.id}"))
    assert 'data-request-status="approved"' in page and "extension_approved" in page
    assert operator.post(f"/console/extensions/{request_id}/approve").status_code == 422  # decided already


def test_an_agency_lead_the_operator_allowed_decides_extensions_of_their_companies(platform, client_for,
                                                                                     make_tenant, agency, app):
    from crm_saas.extensions import db
    from crm_saas.tenants.models import PlatformUser

    row = company(make_tenant, platform, agency["rep"], status="trial", expires_at=utcnow() + timedelta(days=2))
    request_id = _ask_extension(app, row.id, agency["rep"].id, days=5)
    admin = signed_in(platform, client_for, agency["admin"])
    assert admin.post(f"/console/extensions/{request_id}/reject", data={"reason": "no"}).status_code == 404
    with app.app_context():
        db.session.get(PlatformUser, agency["admin"].id).decides_extensions = True
        db.session.commit()
        db.session.remove()
    response = admin.post(f"/console/extensions/{request_id}/reject", data={"reason": "Not this time"})
    assert response.status_code == 302
    assert 'data-request-status="rejected"' in text(admin.get("/console/extensions"))


def test_the_operator_creates_and_edits_an_agency_and_adds_its_admin(operator, platform, client_for):
    prefix = _free_prefix(platform)
    response = operator.post("/console/agencies/new", data={"prefix": "G1", "name": "", "bonus_trial_days": "999"})
    assert response.status_code == 422
    page = text(response)
    for field in ("prefix", "name", "bonus_trial_days"):
        assert f'id="{field}-error"' in page, field

    response = operator.post("/console/agencies/new", data={
        "prefix": prefix.lower(), "name": "华南代理", "contact": "陈", "phone": "13900001234", "status": "active",
        "bonus_trial_days": "15"})
    assert response.status_code == 302
    agency_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = text(operator.get(f"/console/agencies/{agency_id}"))
    assert prefix in page and f"<code>{prefix}01</code>" in page  # its free codes

    response = operator.post("/console/agencies/new", data={"prefix": prefix, "name": "Copy", "status": "active"})
    assert response.status_code == 422 and "This prefix belongs to another agency." in text(response)

    response = operator.post(f"/console/agencies/{agency_id}", data={
        "name": "华南代理二部", "contact": "陈", "phone": "12", "status": "suspended", "bonus_trial_days": "20"})
    assert response.status_code == 422 and 'id="phone-error"' in text(response)
    response = operator.post(f"/console/agencies/{agency_id}", data={
        "name": "华南代理二部", "contact": "陈", "phone": "13900001234", "status": "suspended",
        "bonus_trial_days": "20"})
    assert response.status_code == 302

    response = operator.post(f"/console/agencies/{agency_id}/admin", data={
        "admin-code": f"{prefix}01", "admin-username": f"hn_{prefix.lower()}", "admin-name": "华南 管理员",
        "admin-phone": "13900005678", "admin-password": "weak"})
    assert response.status_code == 422 and 'id="admin-password-error"' in text(response)
    response = operator.post(f"/console/agencies/{agency_id}/admin", data={
        "admin-code": f"{prefix}01", "admin-username": f"hn_{prefix.lower()}", "admin-name": "华南 管理员",
        "admin-phone": "13900005678", "admin-password": "Agency#Admin2026"})
    assert response.status_code == 302
    page = text(operator.get(f"/console/agencies/{agency_id}"))
    assert "华南 管理员" in page and "Administrator" in page and f"<code>{prefix}01</code> " not in page

    listing = text(operator.get("/console/agencies"))
    assert "华南代理二部" in listing and prefix in listing
    log = text(operator.get("/console/log?action=agency_updated&actor=运营 赵"))
    assert "华南代理二部" in log and "Bonus trial days: 15 → 20" in log


def _free_prefix(platform):
    import random
    import string

    from crm_saas.extensions import db
    from crm_saas.tenants.models import Agency

    with platform.app.app_context():
        while True:
            prefix = "".join(random.choices(string.ascii_uppercase, k=2)) + f"{random.randint(0, 99):02d}"
            if db.session.scalar(select(Agency.id).where(Agency.prefix == prefix)) is None:
                db.session.remove()
                return prefix


def test_the_operators_pages_are_404_to_agency_staff(platform, client_for, agency):
    client = signed_in(platform, client_for, agency["admin"])
    for path in ("/console/agencies", "/console/agencies/new", f"/console/agencies/{agency['id']}", "/console/log",
                 "/console/settings"):
        assert client.get(path).status_code == 404, path
    rep = signed_in(platform, client_for, agency["rep"])
    assert rep.get("/console/reports/reps").status_code == 404
    assert client.get("/console/reports/reps").status_code == 200


def test_the_platform_settings_are_checked_saved_and_logged(operator, app):
    from crm_saas.extensions import db
    from crm_saas.tenants.platform_settings import platform_settings, set_platform_settings

    with app.app_context():
        before = platform_settings()
        db.session.remove()
    try:
        response = operator.post("/console/settings", data={"trial_days": "0", "contact_email": "nope"})
        assert response.status_code == 422
        assert 'id="trial_days-error"' in text(response) and 'id="contact_email-error"' in text(response)
        response = operator.post("/console/settings", data={
            "trial_days": "21", "contact_name": "平台 客服", "contact_phone": "13900009999",
            "contact_email": "help@example.com"})  # approval_required unticked
        assert response.status_code == 302
        with app.app_context():
            now = platform_settings()
            db.session.remove()
        assert now["trial_days"] == 21 and now["approval_required"] is False and now["contact_name"] == "平台 客服"
        page = text(operator.get("/console/settings"))
        assert 'value="21"' in page and "平台 客服" in page
        assert "Platform settings changed" in text(operator.get("/console/log?action=settings_changed"))
    finally:
        with app.app_context():
            set_platform_settings(before)
            db.session.commit()
            db.session.remove()


def test_the_rep_report_counts_each_reps_follow_up_in_the_range(operator, platform, client_for, make_tenant,
                                                                agency, app, count_queries):
    from crm_saas.extensions import db
    from crm_saas.tenants.models import AgencyContact

    rep, now = agency["rep"], utcnow()
    company(make_tenant, platform, rep, status="trial", approved_at=now)
    company(make_tenant, platform, rep, status="active", approved_at=now, paid=True, paid_at=now)
    old = company(make_tenant, platform, rep, status="trial")
    platform.set_tenant(old.id, created_at=now - timedelta(days=400), approved_at=now - timedelta(days=399))
    with app.app_context():
        for n in range(3):
            db.session.add(AgencyContact(tenant_id=old.id, occurred_at=now - timedelta(hours=n), way="phone",
                                         summary="call", created_by=rep.id))
        db.session.commit()
        db.session.remove()
    request_id = _ask_extension(app, old.id, rep.id)
    operator.post(f"/console/extensions/{request_id}/approve")

    today = date.today()
    response = operator.get(f"/console/reports/reps?agency={agency['id']}&from={today - timedelta(days=1)}"
                            f"&to={today + timedelta(days=1)}")
    assert response.status_code == 200
    row = _measures(text(response), rep.id)
    assert row == {"signed": "2", "approved": "2", "converted": "1", "contacts": "3", "extensions_asked": "1",
                   "extensions_granted": "1"}

    far = operator.get(f"/console/reports/reps?agency={agency['id']}&from=2001-01-01&to=2001-01-31")
    assert _measures(text(far), rep.id)["signed"] == "0"

    lead = signed_in(platform, client_for, agency["admin"])
    with count_queries() as few:
        page = text(lead.get("/console/reports/reps"))
    assert f'data-person-id="{rep.id}"' in page and f'data-person-id="{agency["admin"].id}"' in page
    for _n in range(3):  # more people, each with a company: the same statements
        company(make_tenant, platform, platform.person(agency["id"], superior_id=agency["admin"].id), status="trial")
    with count_queries() as many:
        page = text(lead.get("/console/reports/reps"))
    assert page.count("data-person-id=") == 5 and len(many) == len(few)
    assert "enter a date" in text(lead.get("/console/reports/reps?from=yesterday"))


def _measures(html, person_id):
    start = html.index(f'data-person-id="{person_id}"')
    row = html[start:html.index("</tr>", start)]
    return dict(re.findall(r'data-measure="([a-z_]+)">(\d+)<', row))


def test_the_online_page_lists_companies_with_people_active_now(operator, platform, make_tenant, agency, app):
    from crm_saas.extensions import db
    from crm_saas.tenants.models import TenantPresence

    busy = company(make_tenant, platform, agency["rep"], name="Busy Co", status="trial")
    idle = company(make_tenant, platform, agency["rep"], status="trial")
    with app.app_context():
        db.session.add(TenantPresence(tenant_id=busy.id, user_id=1, name="忙碌 小李", seen_at=utcnow()))
        db.session.add(TenantPresence(tenant_id=idle.id, user_id=1, name="离开 小周",
                                      seen_at=utcnow() - timedelta(minutes=30)))
        db.session.commit()
        db.session.remove()
    page = text(operator.get("/console/online"))
    assert f'data-company-id="{busy.id}"' in page and "忙碌 小李" in page
    assert f'data-company-id="{idle.id}"' not in page and "离开 小周" not in page
