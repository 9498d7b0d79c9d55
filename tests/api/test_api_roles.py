"""Roles through the API (API.md ``roles``): id, key, name, rights[]; bad input names its field, a held role is a
409, and a 客服 role holding the service module alone finds deals closed (403 for lists, 404 for records)."""
import pytest
from sqlalchemy import select

from crm_saas.core.permissions import MODULES, PERMISSIONS
from tests.api_client import change_setting


def stored(factory, tenant, key):
    from crm_saas.core.settings import get_setting

    return factory._run(tenant, lambda: get_setting(key))


def log_details(factory, tenant, action):
    from crm_saas.core.audit import OperationLog
    from crm_saas.extensions import db

    return factory._run(tenant, lambda: [e.details for e in db.session.scalars(
        select(OperationLog).where(OperationLog.action == action).order_by(OperationLog.id))])


@pytest.fixture
def roles(admin_api):
    """The listed roles by key."""
    return {role["key"]: role for role in admin_api.get("/roles").get_json()}


def test_the_built_in_roles_are_listed_with_what_they_hold(admin_api, roles):
    assert list(roles) == ["admin", "supervisor", "rep"]
    assert [(r["name"], r["built_in"]) for r in roles.values()] == [
        ("Administrator", True), ("Supervisor", True), ("Sales rep", True)]
    assert roles["admin"]["rights"] == list(PERMISSIONS)
    assert roles["supervisor"]["rights"] == [*MODULES, "transfer_customers", "approve_customers", "delete_customers",
                                             "export"]
    assert roles["rep"]["rights"] == list(MODULES)
    assert set(roles["rep"]) == {"id", "key", "name", "rights", "built_in"}
    chinese = admin_api.get("/roles", headers={"Accept-Language": "zh-CN"}).get_json()
    assert chinese[0]["name"] != "Administrator"


def test_reading_needs_settings_or_staff_rights_and_writing_settings(tenant, factory, api_for):
    admin = factory.admin_id(tenant)
    factory.user(tenant, "rep", superior_id=admin)
    factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    rep, boss = api_for(tenant, "rep"), api_for(tenant, "boss")
    assert rep.get("/roles").status_code == 403
    assert rep.post("/roles", json={"name": "客服", "key": "??"}).status_code == 403  # before the body is judged
    change_setting(factory, tenant, "role_permissions", lambda m: {**m, "supervisor": ["manage_staff"]})
    assert boss.get("/roles").status_code == 200
    assert boss.post("/roles", json={"name": "客服"}).status_code == 403
    assert boss.patch("/roles/1", json={"name": "x"}).status_code == 403
    assert boss.delete("/roles/1").status_code == 403


def test_creating_a_role_and_the_fields_it_names(tenant, factory, admin_api):
    created = admin_api.post("/roles", json={"name": "客服", "rights": ["service_desk", "service"]})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["key"], body["name"], body["rights"], body["built_in"]) == (
        "role_1", "客服", ["service", "service_desk"], False)
    market = admin_api.post("/roles", json={"key": "market", "name": "市场", "rights": []}).get_json()
    assert market["key"] == "market" and market["rights"] == []

    bad = admin_api.post("/roles", json={"key": "Bad-Key", "name": "", "rights": ["service", "launch_missiles"]})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"key", "name", "rights"}
    assert "launch_missiles" in bad.get_json()["errors"]["rights"][0]
    for data, field in (({"key": "admin", "name": "甲"}, "key"), ({"key": "market", "name": "乙"}, "key"),
                        ({"key": "x" * 21, "name": "丙"}, "key"), ({"name": "市场"}, "name"),
                        ({"name": "Sales rep"}, "name"), ({"name": "丁" * 61}, "name"), ({}, "name"),
                        ({"name": "戊", "rights": "service"}, "rights")):
        refused = admin_api.post("/roles", json=data)
        assert refused.status_code == 422 and list(refused.get_json()["errors"]) == [field], data
    assert [r["key"] for r in admin_api.get("/roles").get_json()] == ["admin", "supervisor", "rep", "role_1", "market"]
    assert [d["key"] for d in log_details(factory, tenant, "role_created")] == ["role_1", "market"]


def test_changing_roles(tenant, factory, admin_api, roles):
    kefu = admin_api.post("/roles", json={"key": "kefu", "name": "客服", "rights": ["service"]}).get_json()
    patched = admin_api.patch(f"/roles/{kefu['id']}", json={"name": "售后", "rights": ["service", "customers"]})
    assert patched.status_code == 200, patched.get_json()
    assert (patched.get_json()["name"], patched.get_json()["rights"]) == ("售后", ["customers", "service"])
    assert log_details(factory, tenant, "permissions_changed") == [{"granted": {"kefu": ["customers"]}, "revoked": {}}]
    assert log_details(factory, tenant, "role_renamed") == [{"changes": {"name": ["客服", "售后"]}}]

    rep = roles["rep"]
    refused = admin_api.patch(f"/roles/{rep['id']}", json={"rights": ["export"]})
    assert refused.status_code == 422 and "every module" in refused.get_json()["errors"]["rights"][0]
    granted = admin_api.patch(f"/roles/{rep['id']}", json={"rights": [*MODULES, "export"], "name": "Sales rep"})
    assert granted.status_code == 200 and granted.get_json()["rights"] == [*MODULES, "export"]
    assert stored(factory, tenant, "role_permissions")["rep"] == ["export"]
    for role, data, field in ((roles["admin"], {"rights": list(PERMISSIONS)}, "rights"),
                              (rep, {"name": "Seller"}, "name"), (kefu, {"key": "other"}, "key"),
                              (kefu, {"rights": None}, "rights"), (kefu, {"name": "Supervisor"}, "name")):
        answer = admin_api.patch(f"/roles/{role['id']}", json=data)
        assert answer.status_code == 422 and list(answer.get_json()["errors"]) == [field], data
    assert admin_api.patch("/roles/999999", json={"name": "x"}).status_code == 404
    assert stored(factory, tenant, "role_permissions")["rep"] == ["export"]
    assert len(log_details(factory, tenant, "permissions_changed")) == 2


def test_deleting_roles(tenant, factory, admin_api, roles):
    kefu = admin_api.post("/roles", json={"key": "kefu", "name": "客服"}).get_json()
    factory.user(tenant, "xiaowang", role="kefu", superior_id=factory.admin_id(tenant))
    held = admin_api.delete(f"/roles/{kefu['id']}")
    assert held.status_code == 409 and held.get_json()["holders"] == 1
    assert "1 person holds this role" in held.get_json()["errors"]["id"][0]
    assert admin_api.delete(f"/roles/{roles['rep']['id']}").status_code == 422
    unheld = admin_api.post("/roles", json={"key": "market", "name": "市场"}).get_json()
    assert admin_api.delete(f"/roles/{unheld['id']}").status_code == 204
    assert [r["key"] for r in admin_api.get("/roles").get_json()] == ["admin", "supervisor", "rep", "kefu"]
    assert admin_api.delete(f"/roles/{unheld['id']}").status_code == 404
    assert log_details(factory, tenant, "role_deleted") == [{"key": "market", "rights": []}]


def test_a_service_role_finds_deals_and_customers_closed(tenant, factory, admin_api, api_for):
    admin_api.post("/roles", json={"key": "kefu", "name": "客服", "rights": ["service", "service_desk"]})
    admin = factory.admin_id(tenant)
    person = admin_api.post("/staff", json={"username": "xiaowang", "name": "小王", "password": "Start#2026",
                                            "role": "kefu", "superior_id": admin})
    assert person.status_code == 201 and person.get_json()["role"] == "kefu"
    unknown = admin_api.post("/staff", json={"username": "xiaoli", "name": "小李", "password": "Start#2026",
                                             "role": "nobody"})
    assert unknown.status_code == 422 and list(unknown.get_json()["errors"]) == ["role"]
    factory.user(tenant, "kefu2", role="kefu", superior_id=admin)
    customer = factory.customer(tenant, admin)
    deal = factory.deal(tenant, customer, admin)
    service = api_for(tenant, "kefu2")
    assert service.get("/deals").status_code == 403
    assert service.get(f"/deals/{deal}").status_code == 404
    assert service.get("/customers").status_code == 403
    assert service.get(f"/customers/{customer}").status_code == 404
    assert service.get("/service-requests").status_code == 200
    # Built-in rights unchanged by default: a rep still opens customers and deals.
    factory.user(tenant, "rep", superior_id=admin)
    rep = api_for(tenant, "rep")
    assert rep.get("/customers").status_code == 200 and rep.get("/deals").status_code == 200


def test_exporting_a_list_needs_its_module_beside_the_export_right(tenant, factory, admin_api, api_for):
    made = admin_api.post("/roles", json={"key": "kefu", "name": "客服", "rights": ["service", "export"]})
    assert made.status_code == 201, made.get_json()
    factory.user(tenant, "desk", role="kefu", superior_id=factory.admin_id(tenant))
    desk = api_for(tenant, "desk")
    for kind in ("customers", "deals", "activities"):
        assert desk.post("/exports", json={"kind": kind}).status_code == 403, kind
    assert admin_api.patch(f"/roles/{made.get_json()['id']}", json={"rights": ["service", "export", "customers"]}
                           ).status_code == 200
    assert desk.post("/exports", json={"kind": "customers"}).status_code == 202
