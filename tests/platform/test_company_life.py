"""A company's whole life (issue 14), twice: signed up by itself with a rep's code, and filed by the agency rep.

Sign-up → its host says it is being reviewed → the agency rep sees it → the operator approves → its admin
works → time passes beyond the end date (the clock frozen forward with time-machine) → the expired page
and 402 on the API, data intact → the rep asks for more days → the operator approves → work resumes.
"""
import re
from datetime import datetime, timedelta

import time_machine
from sqlalchemy import select

from crm_saas.core.base import utcnow
from tests.api_client import ApiClient, get_token, valid_customer
from tests.conftest import login, new_slug
from tests.mail_sink import run_mail_jobs

PASSWORD = "Start#2026"


def _company(platform, slug):
    from crm_saas.extensions import db
    from crm_saas.tenants.models import Tenant

    with platform.app.app_context():
        tenant_id = db.session.scalar(select(Tenant.id).where(Tenant.slug == slug))
        db.session.remove()
    return platform.tenant(tenant_id)


def _customer_names(app, schema):
    from crm_saas.blueprints.customers.models import Customer
    from crm_saas.extensions import db
    from crm_saas.tenants.binding import tenant_context

    with app.app_context(), tenant_context(schema):
        return sorted(db.session.scalars(select(Customer.name)))


def _approve_work_expire_extend(app, platform, client_for, company_row, rep, operator):
    """The part both lives share, from the operator's approval on."""
    company = client_for(f"{company_row.slug}.localhost")
    rep_api = platform.api(client_for("localhost"), rep)
    mine = rep_api.get("/platform/tenants", query_string={"status": "pending"}).get_json()["items"]
    assert [item["slug"] for item in mine if item["id"] == company_row.id] == [company_row.slug]
    rep_web = client_for("localhost")
    platform.sign_in(rep_web, rep)
    assert company_row.name in rep_web.get("/console/companies").text

    op_api = platform.api(client_for("localhost"), operator)
    approved = op_api.post(f"/platform/tenants/{company_row.id}/approve")
    assert approved.status_code == 200, approved.get_json()
    body = approved.get_json()
    assert body["status"] == "trial" and body["rep_id"] == rep.id and body["rep_code"] == rep.code
    ends = datetime.fromisoformat(body["ends_at"])
    assert timedelta(days=14 + 5) - timedelta(minutes=5) < ends - utcnow() <= timedelta(days=14 + 5)  # + the bonus

    assert login(company, "admin", PASSWORD).status_code == 302
    api = ApiClient(company, get_token(company, "admin", PASSWORD))
    created = api.post("/customers", json=valid_customer(name="长青贸易"))
    assert created.status_code == 201, created.get_json()

    with time_machine.travel(ends + timedelta(hours=2), tick=True):
        page = company.get("/customers/")
        assert page.status_code == 402 and "trial ended" in page.text and rep.name in page.text
        refused = api.get("/customers")
        assert refused.status_code == 402 and refused.get_json()["code"] == "trial_expired"
        with app.app_context():
            from crm_saas.tenants.lifecycle import expire_overdue

            assert company_row.slug in expire_overdue()
        assert platform.tenant(company_row.id).status == "expired"
        assert _customer_names(app, company_row.schema_name) == ["长青贸易"]  # nothing touched

        asked = rep_api.post("/platform/extension-requests",
                             json={"tenant_id": company_row.id, "days": 30, "reason": "客户正在走采购流程"})
        assert asked.status_code == 201, asked.get_json()
        assert company.get("/customers/").status_code == 402  # asking is not granting
        decided = op_api.post(f"/platform/extension-requests/{asked.get_json()['id']}/approve")
        assert decided.status_code == 200 and decided.get_json()["status"] == "approved"

        assert company.get("/customers/").status_code == 200  # work resumes at once
        listed = api.get("/customers")
        assert listed.status_code == 200 and [c["name"] for c in listed.get_json()["items"]] == ["长青贸易"]
        row = platform.tenant(company_row.id)
        assert row.status == "trial"
        assert timedelta(days=29) < row.expires_at - utcnow() <= timedelta(days=30)
        history = op_api.get(f"/platform/tenants/{company_row.id}").get_json()
        assert history["status"] == "trial"


def test_a_company_signed_up_with_a_rep_code(app, platform, client_for):
    agency_id, _prefix = platform.agency(name="苏州代理", bonus_trial_days=5)
    rep = platform.person(agency_id, role="rep", name="赵代理", phone="13800001111")
    operator = platform.operator()
    slug = new_slug("life")
    form = {"company_name": "苏州长青", "subdomain": slug, "admin_name": "钱总", "phone": "13800138000",
            "email": "qian@example.com", "password": PASSWORD, "confirm": PASSWORD, "rep_code": rep.code.lower()}
    unknown = client_for("localhost").post("/signup", data=dict(form, rep_code="ZZ9999"))
    assert unknown.status_code == 422 and "No active agency rep has this code" in unknown.text
    assert client_for("localhost").post("/signup", data=form).status_code == 302

    row = _company(platform, slug)
    assert (row.status, row.agency_id, row.rep_id, row.rep_code) == ("pending", agency_id, rep.id, rep.code)
    waiting = client_for(f"{slug}.localhost").get("/login")
    assert waiting.status_code == 403 and "赵代理" in waiting.text and "13800001111" in waiting.text
    _approve_work_expire_extend(app, platform, client_for, row, rep, operator)


def test_a_company_filed_by_an_agency_rep(app, platform, client_for, mail_sink):
    agency_id, _prefix = platform.agency(name="杭州代理", bonus_trial_days=5)
    rep = platform.person(agency_id, role="rep", name="孙代理", phone="13800002222")
    operator = platform.operator()
    rep_api = platform.api(client_for("localhost"), rep)
    slug = new_slug("filed")
    filed = rep_api.post("/platform/tenants", json={"name": "杭州明月", "slug": slug, "admin_name": "周总",
                                                    "admin_phone": "13600001111", "admin_email": "zhou@example.com"})
    assert filed.status_code == 201, filed.get_json()
    assert filed.get_json()["status"] == "pending" and filed.get_json()["rep_code"] == rep.code
    assert "password" not in str(filed.get_json())

    run_mail_jobs(app)
    [message] = [m for to, m in mail_sink.messages if to == ["zhou@example.com"]]
    link = re.search(r"http://\S+/reset-password/\S+", message.get_content()).group(0)
    assert link.startswith(f"http://{slug}.localhost/")
    admin = client_for(f"{slug}.localhost")
    chosen = admin.post(link.split("localhost", 1)[1], data={"password": PASSWORD, "confirm": PASSWORD})
    assert chosen.status_code == 302  # set while the company still waits
    assert admin.post(link.split("localhost", 1)[1], data={"password": PASSWORD, "confirm": PASSWORD}).status_code == 404
    waiting = admin.get("/login")
    assert waiting.status_code == 403 and "application being reviewed" in waiting.text

    _approve_work_expire_extend(app, platform, client_for, _company(platform, slug), rep, operator)
