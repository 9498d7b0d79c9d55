"""What a company's state does on its own host (A2): a page naming whom to call while it waits or after it
ends, 402/403 with a code on the API, no job run for it, its data untouched; and what the platform learns
from its hosts (presence, counts, end-date warnings)."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crm_saas.tenants.binding import tenant_context
from tests.conftest import login
from tests.mail_sink import run_mail_jobs
from tests.workers.test_job_failures import run_burst_worker


def _ago(days):
    from crm_saas.core.base import utcnow

    return utcnow() + timedelta(days=days)


@pytest.fixture
def rep(platform):
    agency_id, _prefix = platform.agency(name="华南代理")
    return platform.person(agency_id, role="rep", name="李业务", phone="13912345678")


def test_an_expired_trial_shows_whom_to_call_and_the_api_says_402(platform, tenant, client_for, rep, admin_api,
                                                                   factory):
    factory.customer(tenant, factory.admin_id(tenant), name="留存客户")
    signed_in = client_for(tenant)
    assert login(signed_in, "admin", tenant.admin_password).status_code == 302
    platform.set_tenant(tenant.id, rep_id=rep.id, agency_id=rep.agency_id, expires_at=_ago(-1))  # ended yesterday

    page = signed_in.get("/customers/")
    assert page.status_code == 402
    assert "trial ended" in page.text and "李业务" in page.text and "13912345678" in page.text
    assert "华南代理" in page.text and "留存客户" not in page.text
    zh = signed_in.get("/customers/", headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 402 and "试用" in zh.text

    answer = admin_api.get("/customers")
    assert answer.status_code == 402 and answer.get_json()["code"] == "trial_expired"
    platform.set_tenant(tenant.id, paid=True)
    assert admin_api.get("/customers").get_json()["code"] == "subscription_expired"

    platform.set_tenant(tenant.id, expires_at=_ago(30))  # extended: everything is back at once
    listed = admin_api.get("/customers")
    assert listed.status_code == 200 and [c["name"] for c in listed.get_json()["items"]] == ["留存客户"]
    assert signed_in.get("/customers/").status_code == 200


def test_suspended_pending_and_rejected_companies(platform, tenant, client_for, admin_api):
    platform.set_tenant(tenant.id, status="suspended", status_reason="欠费")
    page = client_for(tenant).get("/login")
    assert page.status_code == 403 and "is suspended" in page.text and "Huike CRM support" in page.text
    assert admin_api.get("/customers").get_json()["code"] == "company_suspended"

    platform.set_tenant(tenant.id, status="pending")
    page = client_for(tenant).get("/login")
    assert page.status_code == 403 and "application being reviewed" in page.text
    assert client_for(tenant).get("/reset-password/not-a-token").status_code == 404  # the link page still answers

    platform.set_tenant(tenant.id, status="rejected")
    assert client_for(tenant).get("/login").status_code == 404


def test_the_language_switch_still_works_on_a_closed_company(platform, tenant, client_for):
    platform.set_tenant(tenant.id, expires_at=_ago(-1))
    visitor = client_for(tenant)
    assert visitor.post("/language", data={"lang": "zh_CN", "next": "/login"}).status_code == 302
    assert "试用已结束" in visitor.get("/login").text or "试用" in visitor.get("/login").text


def test_a_closed_company_runs_no_export_and_sends_no_reminder(app, platform, tenant, admin_api, factory,
                                                               monkeypatch):
    """An export queued before the end date is refused by the worker after it, the row saying why."""
    from crm_saas.blueprints.exports.models import Export
    from crm_saas.extensions import db
    from crm_saas.workers.context import set_app
    from crm_saas.workers.reminders import send_due_reminders

    set_app(app)
    monkeypatch.setitem(app.config, "CRM_EXPORT_QUEUE", f"{app.config['CRM_EXPORT_QUEUE']}-closed-test")
    factory.customer(tenant, factory.admin_id(tenant), name="不动的客户")
    started = admin_api.post("/exports", json={"kind": "customers", "filters": {}})
    assert started.status_code == 202
    platform.set_tenant(tenant.id, expires_at=_ago(-1))
    assert send_due_reminders(tenant.schema_name) == 0

    run_burst_worker(app)
    with app.app_context(), tenant_context(tenant.schema_name):
        export = db.session.get(Export, started.get_json()["id"])
        assert (export.status, export.error) == ("failed", "company_closed")
        assert "未执行任何操作" in export.failure  # outside a request: the platform's default language


def test_presence_is_written_once_per_five_minutes_and_counts_as_online(app, platform, tenant, client_for):
    from crm_saas.blueprints.platform.services.companies import online_counts, online_people
    from crm_saas.core.queue import redis_connection
    from crm_saas.extensions import db
    from crm_saas.tenants import presence
    from crm_saas.tenants.models import TenantPresence

    signed_in = client_for(tenant)
    assert login(signed_in, "admin", tenant.admin_password).status_code == 302
    with app.app_context():
        redis_connection().delete(f"crm:seen:{tenant.schema_name}:1")
    presence._memo.clear()
    assert signed_in.get("/customers/").status_code == 200

    def seen():
        with app.app_context():
            value = db.session.scalar(select(TenantPresence.seen_at).where(TenantPresence.tenant_id == tenant.id))
            db.session.remove()
            return value

    first = seen()
    assert first is not None and platform.tenant(tenant.id).last_activity_at == first
    assert signed_in.get("/customers/").status_code == 200
    assert seen() == first  # the next request within five minutes writes nothing
    presence._memo.clear()  # another process: Redis still says it was written
    assert signed_in.get("/customers/").status_code == 200
    assert seen() == first
    with app.app_context():
        assert online_counts([tenant.id]) == {tenant.id: 1}
        assert [row.name for row in online_people([tenant.id])] == ["Admin"]
        assert online_counts([tenant.id], now=_ago(1)) == {}  # ten minutes later nobody is online
        db.session.remove()


def test_counts_and_end_date_warnings(app, platform, tenant, factory, mail_sink):
    from crm_saas.workers.context import set_app
    from crm_saas.workers.platform import count_companies, warn_expiring

    set_app(app)
    factory.customer(tenant, factory.admin_id(tenant), name="甲")
    factory.customer(tenant, factory.admin_id(tenant), name="乙")
    factory.user(tenant, "rep1")
    assert count_companies() >= 1
    row = platform.tenant(tenant.id)
    assert (row.user_count, row.customer_count) == (2, 2) and row.storage_bytes > 0

    platform.set_tenant(tenant.id, contact_email="boss@example.com", contact_name="王总",
                        expires_at=_ago(6), warned_days=None)
    assert warn_expiring().get(tenant.slug) == 7
    assert tenant.slug not in warn_expiring()  # once per warning
    platform.set_tenant(tenant.id, expires_at=_ago(0.5))
    assert warn_expiring().get(tenant.slug) == 1
    run_mail_jobs(app)
    mine = [message for to, message in mail_sink.messages if to == ["boss@example.com"]]
    assert len(mine) == 2 and "7" in mine[0]["Subject"] and "1" in mine[1]["Subject"]


def test_the_expiry_job_marks_and_logs(app, platform, tenant):
    from crm_saas.extensions import db
    from crm_saas.tenants.lifecycle import expire_overdue
    from crm_saas.tenants.models import PlatformLog

    platform.set_tenant(tenant.id, expires_at=_ago(-0.1))
    with app.app_context():
        assert tenant.slug in expire_overdue()
        logged = db.session.scalar(select(func.count()).select_from(PlatformLog).where(
            PlatformLog.tenant_id == tenant.id, PlatformLog.action == "expired"))
        db.session.remove()
    assert logged == 1 and platform.tenant(tenant.id).status == "expired"
