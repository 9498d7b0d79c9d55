"""The platform's JSON API (/api/v1/platform/...): its tokens, the hosts they work on, and a company's life."""
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from crm_saas.core.base import utcnow
from tests.api.platform_helpers import owned_company, pending, platform_clients, when
from tests.api_client import API, ApiClient, get_token
from tests.conftest import ADMIN_PASSWORD, login

CHINA = ZoneInfo("Asia/Shanghai")  # where the platform's people read dates: an end date ends there


@pytest.fixture
def pclient(client_for):
    return platform_clients(client_for)


def test_an_operator_needs_a_fresh_code_for_a_token_agency_staff_do_not(platform, pclient):
    operator = platform.operator()
    client = pclient()
    body = {"username": operator.username, "password": operator.password}
    refused = client.post(f"{API}/platform/auth/token", json=body)
    assert refused.status_code == 401 and set(refused.get_json()["errors"]) == {"otp"}
    wrong = client.post(f"{API}/platform/auth/token", json={**body, "otp": "000000"})
    assert wrong.status_code == 401 and "code" in wrong.get_json()["message"]
    code = platform.next_code(operator)
    assert client.post(f"{API}/platform/auth/token", json={**body, "otp": code}).status_code == 200
    replayed = client.post(f"{API}/platform/auth/token", json={**body, "otp": code})
    assert replayed.status_code == 401  # each code works once

    api = platform.api(client, operator)
    me = api.get("/platform/me").get_json()
    assert (me["username"], me["role"], me["agency_id"]) == (operator.username, "operator", None)
    assert not {"password_hash", "totp_secret", "session_token"} & set(me)
    assert api.delete("/platform/auth/token").status_code == 204
    assert api.get("/platform/me").status_code == 401

    rep = platform.person(platform.agency()[0])
    answer = client.post(f"{API}/platform/auth/token", json={"username": rep.username, "password": rep.password})
    assert answer.status_code == 200 and answer.get_json()["token"]
    bad = client.post(f"{API}/platform/auth/token", json={"username": rep.username, "password": "Wrong#2026x"})
    assert bad.status_code == 401 and bad.get_json()["message"] == "Wrong username or password."


def test_wrong_codes_lock_an_operator_out_of_tokens_too(platform, pclient):
    operator = platform.operator()
    body = {"username": operator.username, "password": operator.password}
    for _attempt in range(5):  # from five addresses: the account is what locks, not the address's limit
        assert pclient().post(f"{API}/platform/auth/token", json={**body, "otp": "123456"}).status_code == 401
    locked = pclient().post(f"{API}/platform/auth/token", json={**body, "otp": platform.next_code(operator)})
    assert locked.status_code == 401 and "locked" in locked.get_json()["message"]


def test_tokens_work_on_their_own_kind_of_host_only(platform, pclient, tenant, client_for, api_for):
    company = api_for(tenant)
    on_platform = ApiClient(pclient(), company.token)
    assert on_platform.get("/platform/tenants").status_code == 401  # a company's token is unknown here
    assert on_platform.get("/platform/me").status_code == 401

    operator = platform.operator()
    token = platform.api(pclient(), operator).token
    on_company = ApiClient(client_for(tenant), token)
    assert on_company.get("/platform/tenants").status_code == 404  # no platform API on a company host
    assert on_company.post("/platform/auth/token", json={"username": operator.username,
                                                        "password": operator.password}).status_code == 404
    assert on_company.get("/me").status_code == 401  # and a platform token is no company token
    assert company.get("/me").status_code == 200


def test_a_password_set_by_someone_else_must_be_changed_first(platform, pclient):
    person = platform.person(platform.agency()[0], role="admin", must_change=True)
    api = platform.api(pclient(), person)
    refused = api.get("/platform/tenants")
    assert refused.status_code == 403 and set(refused.get_json()["errors"]) == {"password"}
    assert api.get("/platform/me").get_json()["must_change_password"] is True
    weak = api.post("/platform/me/password", json={"old": person.password, "new": "short"})
    assert weak.status_code == 422 and set(weak.get_json()["errors"]) == {"new"}
    changed = api.post("/platform/me/password", json={"old": person.password, "new": "Chosen#2026x"})
    assert changed.status_code == 200
    assert api.get("/platform/me").status_code == 401  # every older token ended
    fresh = ApiClient(api.client, changed.get_json()["token"])
    assert fresh.get("/platform/tenants").status_code == 200
    assert fresh.get("/platform/me").get_json()["must_change_password"] is False


def test_each_person_sees_their_own_and_their_subtrees_companies_only(platform, pclient, make_tenant):
    agency_id, _prefix = platform.agency()
    admin = platform.person(agency_id, role="admin")
    supervisor = platform.person(agency_id, role="supervisor", superior_id=admin.id)
    rep = platform.person(agency_id, superior_id=supervisor.id)
    peer = platform.person(agency_id, superior_id=admin.id)
    stranger = platform.person(platform.agency()[0])
    mine, peers, strangers = (owned_company(make_tenant, platform, who) for who in (rep, peer, stranger))

    def seen(person):
        body = platform.api(pclient(), person).get("/platform/tenants", query_string={"per_page": 200}).get_json()
        assert body["total"] == len(body["items"])
        return {item["id"] for item in body["items"]}

    assert seen(rep) == {mine.id}
    assert seen(supervisor) == {mine.id}
    assert seen(admin) == {mine.id, peers.id}
    assert seen(stranger) == {strangers.id}
    operator = platform.api(pclient(), platform.operator())
    listed = operator.get("/platform/tenants", query_string={"agency_id": agency_id}).get_json()
    assert {item["id"] for item in listed["items"]} == {mine.id, peers.id} and listed["total"] == 2
    by_rep = operator.get("/platform/tenants", query_string={"rep_id": rep.id}).get_json()
    assert [item["id"] for item in by_rep["items"]] == [mine.id]

    rep_api = platform.api(pclient(), rep)
    item = rep_api.get(f"/platform/tenants/{mine.id}").get_json()
    assert (item["slug"], item["rep_code"], item["status"], item["online_users"]) == (mine.slug, rep.code, "trial", 0)
    assert rep_api.get(f"/platform/tenants/{peers.id}").status_code == 404
    assert rep_api.post(f"/platform/tenants/{peers.id}/rename", json={"name": "X"}).status_code == 404
    assert rep_api.post(f"/platform/tenants/{mine.id}/suspend", json={"reason": "x"}).status_code == 403
    assert rep_api.post(f"/platform/tenants/{peers.id}/suspend", json={"reason": "x"}).status_code == 404
    assert rep_api.post(f"/platform/tenants/{mine.id}/assign", json={"rep_id": peer.id}).status_code == 403

    # The agency's admin moves the rep's company to a peer: from the next request the rep no longer sees it.
    moved = platform.api(pclient(), admin).post(f"/platform/tenants/{mine.id}/assign", json={"rep_id": peer.id})
    assert moved.status_code == 200 and (moved.get_json()["rep_id"], moved.get_json()["rep_code"]) == (peer.id, peer.code)
    assert rep_api.get(f"/platform/tenants/{mine.id}").status_code == 404
    assert seen(peer) == {mine.id, peers.id}
    # ... but never to another agency's rep, nor (a supervisor) to someone outside their team.
    refused = platform.api(pclient(), admin).post(f"/platform/tenants/{mine.id}/assign", json={"rep_id": stranger.id})
    assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {"rep_id"}


def test_the_operator_approves_extends_suspends_and_reactivates(app, platform, pclient, make_tenant, client_for):
    agency_id, _prefix = platform.agency(bonus_trial_days=5)
    rep = platform.person(agency_id)
    company = owned_company(make_tenant, platform, rep, **pending())
    operator = platform.api(pclient(), platform.operator())
    with app.app_context():
        from crm_saas.tenants.platform_settings import platform_setting

        trial_days = platform_setting("trial_days")

    listed = operator.get("/platform/tenants", query_string={"status": "pending", "q": company.slug}).get_json()
    assert [item["id"] for item in listed["items"]] == [company.id]
    assert operator.post(f"/platform/tenants/{company.id}/extend", json={"days": 3}).status_code == 422  # pending
    approved = operator.post(f"/platform/tenants/{company.id}/approve")
    assert approved.status_code == 200
    body = approved.get_json()
    assert body["status"] == "trial"
    ends = when(body["ends_at"])
    assert abs(ends - (utcnow() + timedelta(days=trial_days + 5))) < timedelta(minutes=1)  # plus the agency's bonus
    again = operator.post(f"/platform/tenants/{company.id}/approve")
    assert again.status_code == 422 and set(again.get_json()["errors"]) == {"status"}

    neither = operator.post(f"/platform/tenants/{company.id}/extend", json={})
    assert neither.status_code == 422 and set(neither.get_json()["errors"]) == {"days"}
    extended = operator.post(f"/platform/tenants/{company.id}/extend", json={"days": 10}).get_json()
    assert when(extended["ends_at"]) - ends == timedelta(days=10)
    paid = operator.post(f"/platform/tenants/{company.id}/extend", json={"until": "2031-03-31", "paid": True})
    assert paid.status_code == 200
    assert (paid.get_json()["status"], paid.get_json()["paid"]) == ("active", True)
    assert when(paid.get_json()["ends_at"]).astimezone(CHINA).isoformat() == "2031-03-31T23:59:59+08:00"
    past = operator.post(f"/platform/tenants/{company.id}/extend", json={"until": "2001-01-01"})
    assert past.status_code == 422 and set(past.get_json()["errors"]) == {"until"}

    no_reason = operator.post(f"/platform/tenants/{company.id}/suspend", json={})
    assert no_reason.status_code == 422 and set(no_reason.get_json()["errors"]) == {"reason"}
    suspended = operator.post(f"/platform/tenants/{company.id}/suspend", json={"reason": "欠费"}).get_json()
    assert (suspended["status"], suspended["status_reason"]) == ("suspended", "欠费")
    answer = client_for(company).post(f"{API}/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert answer.status_code == 403 and answer.get_json()["code"] == "company_suspended"

    assert operator.post(f"/platform/tenants/{company.id}/reactivate").get_json()["status"] == "active"
    assert get_token(client_for(company), "admin", ADMIN_PASSWORD)
    renamed = operator.post(f"/platform/tenants/{company.id}/rename", json={"name": "  新名字有限公司 "})
    assert renamed.get_json()["name"] == "新名字有限公司"
    blank = operator.post(f"/platform/tenants/{company.id}/rename", json={"name": ""})
    assert blank.status_code == 422 and set(blank.get_json()["errors"]) == {"name"}


def test_the_operator_rejects_an_application_with_a_reason(platform, pclient, make_tenant):
    company = make_tenant("rj")
    platform.set_tenant(company.id, **pending())
    operator = platform.api(pclient(), platform.operator())
    missing = operator.post(f"/platform/tenants/{company.id}/reject", json={"reason": "  "})
    assert missing.status_code == 422 and set(missing.get_json()["errors"]) == {"reason"}
    assert platform.tenant(company.id).status == "pending"
    rejected = operator.post(f"/platform/tenants/{company.id}/reject", json={"reason": "资料不全"})
    assert (rejected.status_code, rejected.get_json()["status"]) == (200, "rejected")
    assert operator.post(f"/platform/tenants/{company.id}/approve").status_code == 422


def test_an_expired_company_shows_as_expired_and_extending_opens_it(platform, pclient, make_tenant, client_for):
    company = make_tenant("ex")
    platform.set_tenant(company.id, expires_at=utcnow() - timedelta(hours=1))
    operator = platform.api(pclient(), platform.operator())
    assert operator.get(f"/platform/tenants/{company.id}").get_json()["status"] == "expired"
    expired = operator.get("/platform/tenants", query_string={"status": "expired", "q": company.slug}).get_json()
    assert [item["id"] for item in expired["items"]] == [company.id]
    answer = client_for(company).post(f"{API}/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert answer.status_code == 402
    assert operator.post(f"/platform/tenants/{company.id}/extend", json={"days": 7}).get_json()["status"] == "trial"
    assert get_token(client_for(company), "admin", ADMIN_PASSWORD)


def test_resetting_the_admins_password_forces_a_change(platform, pclient, make_tenant, client_for):
    rep = platform.person(platform.agency()[0])
    company = owned_company(make_tenant, platform, rep)
    rep_api = platform.api(pclient(), rep)  # the company's own rep may (seed 003: 修改客户资料)
    weak = rep_api.post(f"/platform/tenants/{company.id}/reset-admin-password", json={"password": "123"})
    assert weak.status_code == 422 and set(weak.get_json()["errors"]) == {"password"}
    assert rep_api.post(f"/platform/tenants/{company.id}/reset-admin-password",
                        json={"password": "Reset#2026xy"}).status_code == 204
    web = client_for(company)
    assert login(web, "admin", ADMIN_PASSWORD).status_code != 302
    company_api = ApiClient(client_for(company), get_token(client_for(company), "admin", "Reset#2026xy"))
    refused = company_api.get("/customers")
    assert refused.status_code == 403 and set(refused.get_json()["errors"]) == {"password"}


def test_list_filters_and_sorts_are_checked(platform, pclient, make_tenant):
    rep = platform.person(platform.agency()[0])
    soon, later = (owned_company(make_tenant, platform, rep) for _ in range(2))
    platform.set_tenant(soon.id, expires_at=utcnow() + timedelta(days=3))
    platform.set_tenant(later.id, expires_at=utcnow() + timedelta(days=40))
    api = platform.api(pclient(), rep)
    ids = [item["id"] for item in api.get("/platform/tenants", query_string={"sort": "-ends_at"}).get_json()["items"]]
    assert ids == [later.id, soon.id]
    expiring = api.get("/platform/tenants", query_string={"expiring_within_days": 14}).get_json()
    assert [item["id"] for item in expiring["items"]] == [soon.id]
    for name, value in (("sort", "size"), ("status", "open"), ("expiring_within_days", "-1"), ("per_page", "0")):
        bad = api.get("/platform/tenants", query_string={name: value})
        assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {name}, name


def test_an_agency_rep_files_an_application_that_waits_for_approval(platform, pclient, tenant):
    rep = platform.person(platform.agency()[0])
    api = platform.api(pclient(), rep)
    bad = api.post("/platform/tenants", json={"name": "", "slug": "A!", "admin_email": "nope"})
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"name", "slug", "admin_name", "admin_phone", "admin_email"}
    taken = api.post("/platform/tenants", json={"name": "X", "slug": tenant.slug, "admin_name": "王",
                                                "admin_phone": "13800138000", "admin_email": "w@example.com"})
    assert taken.status_code == 422 and set(taken.get_json()["errors"]) == {"slug"}

    slug = f"filed-{rep.code.lower()}-{tenant.slug[-6:]}"
    filed = api.post("/platform/tenants", json={"name": "申请有限公司", "slug": slug, "admin_name": "李四",
                                                "admin_phone": "13800138000", "admin_email": "li@example.com"})
    assert filed.status_code == 201, filed.get_json()
    body = filed.get_json()
    assert (body["status"], body["rep_code"], body["rep_id"], body["ends_at"]) == ("pending", rep.code, rep.id, None)
    assert body["setup_link_sent"] is False  # no mail server in this test
    assert [item["id"] for item in api.get("/platform/tenants").get_json()["items"]] == [body["id"]]

    operator = platform.api(pclient(), platform.operator())
    assert operator.post("/platform/tenants", json={"name": "X"}).status_code == 403
    assert operator.post(f"/platform/tenants/{body['id']}/approve").get_json()["status"] == "trial"
