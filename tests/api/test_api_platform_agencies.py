"""The platform API's agencies, agency staff, extension requests and contact log."""
import random
import string
from datetime import timedelta

import pytest

from tests.api.platform_helpers import owned_company, platform_clients, when


@pytest.fixture
def pclient(client_for):
    return platform_clients(client_for)


def free_prefix():
    return "".join(random.choices("QXZ", k=1) + random.choices(string.ascii_uppercase, k=1)) + \
        f"{random.randint(0, 99):02d}"


def test_operators_create_and_edit_agencies_agency_staff_read_their_own(platform, pclient):
    operator = platform.api(pclient(), platform.operator())
    bad = operator.post("/platform/agencies", json={"prefix": "G1", "phone": "12", "bonus_trial_days": 400})
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"prefix", "name", "phone", "bonus_trial_days"}
    for _attempt in range(20):
        prefix = free_prefix()
        created = operator.post("/platform/agencies", json={"prefix": prefix.lower(), "name": "广东一号代理",
                                                            "contact": "张经理", "phone": "13800138000",
                                                            "bonus_trial_days": 7})
        if created.status_code == 201:
            break
    body = created.get_json()
    assert (body["prefix"], body["status"], body["bonus_trial_days"]) == (prefix, "active", 7)
    twice = operator.post("/platform/agencies", json={"prefix": prefix, "name": "Other"})
    assert twice.status_code == 422 and set(twice.get_json()["errors"]) == {"prefix"}
    listed = operator.get("/platform/agencies", query_string={"q": prefix}).get_json()
    assert [item["id"] for item in listed["items"]] == [body["id"]] and listed["total"] == 1

    patched = operator.patch(f"/platform/agencies/{body['id']}", json={"status": "suspended", "bonus_trial_days": 0})
    assert (patched.get_json()["status"], patched.get_json()["bonus_trial_days"]) == ("suspended", 0)
    fixed = operator.patch(f"/platform/agencies/{body['id']}", json={"prefix": "ZZ99"})
    assert fixed.status_code == 422 and set(fixed.get_json()["errors"]) == {"prefix"}

    own_id, _prefix = platform.agency()
    admin = platform.api(pclient(), platform.person(own_id, role="admin"))
    assert admin.get("/platform/agencies").status_code == 403
    assert admin.post("/platform/agencies", json={"prefix": free_prefix(), "name": "X"}).status_code == 403
    assert admin.get(f"/platform/agencies/{own_id}").get_json()["id"] == own_id
    assert admin.get(f"/platform/agencies/{body['id']}").status_code == 404
    assert admin.patch(f"/platform/agencies/{own_id}", json={"bonus_trial_days": 30}).status_code == 403


def test_agency_staff_are_added_with_free_codes_and_hand_over_when_they_leave(platform, pclient, make_tenant):
    agency_id, prefix = platform.agency()
    admin = platform.person(agency_id, role="admin")
    rep = platform.person(agency_id, superior_id=admin.id)
    company = owned_company(make_tenant, platform, rep)
    api = platform.api(pclient(), admin)

    taken = api.post("/platform/staff", json={"name": "王五", "password": "Agent#2026x", "code": rep.code})
    assert taken.status_code == 422 and set(taken.get_json()["errors"]) == {"code"}
    other_agency = api.post("/platform/staff", json={"name": "王五", "password": "Agent#2026x", "code": "ZZ0001"})
    assert other_agency.status_code == 422 and set(other_agency.get_json()["errors"]) == {"code"}
    missing = api.post("/platform/staff", json={"role": "boss"})
    assert missing.status_code == 422 and {"name", "password", "role"} <= set(missing.get_json()["errors"])

    added = api.post("/platform/staff", json={"name": "王五", "password": "Agent#2026x", "phone": "13800138001",
                                              "superior_id": admin.id})
    assert added.status_code == 201, added.get_json()
    person = added.get_json()
    assert person["code"].startswith(prefix) and person["code"] not in (admin.code, rep.code)
    assert (person["role"], person["agency_id"], person["must_change_password"]) == ("rep", agency_id, True)
    assert person["username"] and not {"password", "password_hash", "totp_secret"} & set(person)
    chosen = api.post("/platform/staff", json={"name": "赵六", "username": "zhao6_" + prefix.lower(),
                                               "password": "Agent#2026x", "code": f"{prefix}99", "role": "supervisor"})
    assert (chosen.status_code, chosen.get_json()["code"]) == (201, f"{prefix}99")
    supervisor_id = chosen.get_json()["id"]

    moved = api.patch(f"/platform/staff/{person['id']}", json={"superior_id": supervisor_id, "phone": "13800138002"})
    assert (moved.get_json()["superior_id"], moved.get_json()["phone"]) == (supervisor_id, "13800138002")
    listed = api.get("/platform/staff", query_string={"role": "supervisor"}).get_json()
    assert [item["id"] for item in listed["items"]] == [supervisor_id]
    assert api.get("/platform/staff").get_json()["total"] == 4

    rep_api = platform.api(pclient(), rep)
    assert rep_api.get("/platform/staff").get_json()["total"] == 1  # a rep sees themselves
    assert rep_api.get(f"/platform/staff/{admin.id}").status_code == 404
    assert rep_api.post("/platform/staff", json={"name": "X", "password": "Agent#2026x"}).status_code == 403
    assert rep_api.post(f"/platform/staff/{rep.id}/deactivate", json={"handover_to": admin.id}).status_code == 403

    nobody = api.post(f"/platform/staff/{rep.id}/deactivate", json={})
    assert nobody.status_code == 422 and set(nobody.get_json()["errors"]) == {"handover_to"}
    left = api.post(f"/platform/staff/{rep.id}/deactivate", json={"handover_to": person["id"]})
    assert left.status_code == 200
    assert (left.get_json()["staff"]["active"], left.get_json()["moved"]) == (False, {"companies": 1})
    assert (platform.tenant(company.id).rep_id, platform.tenant(company.id).rep_code) == (person["id"], person["code"])
    assert rep_api.get("/platform/me").status_code == 401  # their tokens ended

    stranger = platform.api(pclient(), platform.person(platform.agency()[0], role="admin"))
    assert stranger.get(f"/platform/staff/{person['id']}").status_code == 404
    assert stranger.patch(f"/platform/staff/{person['id']}", json={"name": "X"}).status_code == 404

    operator = platform.api(pclient(), platform.operator())
    assert operator.get("/platform/staff", query_string={"agency_id": agency_id}).get_json()["total"] == 4
    no_agency = operator.post("/platform/staff", json={"name": "X", "password": "Agent#2026x"})
    assert no_agency.status_code == 422 and set(no_agency.get_json()["errors"]) == {"agency_id"}
    granted = operator.patch(f"/platform/staff/{supervisor_id}", json={"decides_extensions": True})
    assert granted.get_json()["decides_extensions"] is True
    refused = api.patch(f"/platform/staff/{supervisor_id}", json={"decides_extensions": False})
    assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {"decides_extensions"}


def test_a_rep_asks_for_days_and_the_operator_decides(platform, pclient, make_tenant):
    agency_id, _prefix = platform.agency()
    rep = platform.person(agency_id)
    peer = platform.person(agency_id)
    company = owned_company(make_tenant, platform, rep)
    others = owned_company(make_tenant, platform, peer)
    rep_api = platform.api(pclient(), rep)
    ends = when(rep_api.get(f"/platform/tenants/{company.id}").get_json()["ends_at"])

    bad = rep_api.post("/platform/extension-requests", json={"tenant_id": others.id, "days": 0})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"tenant_id"}
    bad = rep_api.post("/platform/extension-requests", json={"tenant_id": company.id, "days": 0, "reason": "x"})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"days"}
    asked = rep_api.post("/platform/extension-requests", json={"tenant_id": company.id, "days": 30,
                                                                "reason": "客户在走付款流程"})
    assert asked.status_code == 201
    request = asked.get_json()
    assert (request["status"], request["requested_by"], request["tenant_name"]) == ("pending", rep.id,
                                                                                     platform.tenant(company.id).name)
    twice = rep_api.post("/platform/extension-requests", json={"tenant_id": company.id, "days": 5, "reason": "x"})
    assert twice.status_code == 422
    assert rep_api.post(f"/platform/extension-requests/{request['id']}/approve").status_code == 403
    peer_api = platform.api(pclient(), peer)
    assert peer_api.get("/platform/extension-requests").get_json()["total"] == 0
    assert peer_api.post(f"/platform/extension-requests/{request['id']}/approve").status_code == 404

    operator = platform.api(pclient(), platform.operator())
    assert operator.post("/platform/extension-requests", json={"tenant_id": company.id, "days": 3,
                                                               "reason": "x"}).status_code == 403
    no_reason = operator.post(f"/platform/extension-requests/{request['id']}/reject", json={})
    assert no_reason.status_code == 422 and set(no_reason.get_json()["errors"]) == {"reason"}
    approved = operator.post(f"/platform/extension-requests/{request['id']}/approve")
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    assert when(rep_api.get(f"/platform/tenants/{company.id}").get_json()["ends_at"]) - ends == timedelta(days=30)
    assert operator.post(f"/platform/extension-requests/{request['id']}/approve").status_code == 422
    listed = rep_api.get("/platform/extension-requests", query_string={"status": "approved"}).get_json()
    assert [item["id"] for item in listed["items"]] == [request["id"]]


def test_a_supervisor_the_operator_allowed_decides_extensions(platform, pclient, make_tenant):
    agency_id, _prefix = platform.agency()
    supervisor = platform.person(agency_id, role="supervisor")
    rep = platform.person(agency_id, superior_id=supervisor.id)
    company = owned_company(make_tenant, platform, rep)
    asked = platform.api(pclient(), rep).post("/platform/extension-requests", json={
        "tenant_id": company.id, "days": 10, "reason": "续约洽谈中"}).get_json()
    supervisor_api = platform.api(pclient(), supervisor)
    assert supervisor_api.post(f"/platform/extension-requests/{asked['id']}/reject",
                               json={"reason": "no"}).status_code == 403
    operator = platform.api(pclient(), platform.operator())
    operator.patch(f"/platform/staff/{supervisor.id}", json={"decides_extensions": True})
    rejected = supervisor_api.post(f"/platform/extension-requests/{asked['id']}/reject", json={"reason": "再等等"})
    assert rejected.status_code == 200
    assert (rejected.get_json()["status"], rejected.get_json()["decision_reason"]) == ("rejected", "再等等")


def test_the_contact_log_of_a_company(platform, pclient, make_tenant):
    agency_id, _prefix = platform.agency()
    rep = platform.person(agency_id)
    company = owned_company(make_tenant, platform, rep)
    api = platform.api(pclient(), rep)
    bad = api.post(f"/platform/tenants/{company.id}/contacts", json={"way": "fax", "occurred_at": "yesterday"})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"way", "summary", "occurred_at"}
    logged = api.post(f"/platform/tenants/{company.id}/contacts", json={
        "way": "visit", "summary": "上门演示", "occurred_at": "2026-01-05T10:00:00+08:00",
        "next_contact_at": "2026-01-12T10:00:00+08:00"})
    assert logged.status_code == 201, logged.get_json()
    body = logged.get_json()
    assert (body["way"], body["created_by"], body["tenant_id"]) == ("visit", rep.id, company.id)
    assert when(body["occurred_at"]) == when("2026-01-05T10:00:00+08:00")
    listed = api.get(f"/platform/tenants/{company.id}/contacts").get_json()
    assert [item["id"] for item in listed["items"]] == [body["id"]] and listed["total"] == 1
    peer = platform.api(pclient(), platform.person(agency_id))
    assert peer.get(f"/platform/tenants/{company.id}/contacts").status_code == 404
    assert peer.post(f"/platform/tenants/{company.id}/contacts", json={"summary": "x"}).status_code == 404
