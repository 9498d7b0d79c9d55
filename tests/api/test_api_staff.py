"""Staff through the API: who sees whom, who may change whom, and what a move or a departure does."""
import pytest

from tests.api_client import API, ApiClient, change_setting, get_token
from tests.conftest import STAFF_PASSWORD

NEW_PASSWORD = "Start#2026"


def new_person(**overrides):
    return {"username": "wangwu", "password": NEW_PASSWORD, "name": "王五", "phone": "13912345678",
            "title": "销售代表", "code": "S-001", "region": "华东", "role": "rep", **overrides}


@pytest.fixture
def team(tenant, factory):
    """admin > boss (supervisor) > lead (supervisor) > rep; outsider (rep) straight under admin."""
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    lead = factory.user(tenant, "lead", role="supervisor", superior_id=boss)
    rep = factory.user(tenant, "rep", superior_id=lead)
    outsider = factory.user(tenant, "outsider", superior_id=admin)
    return {"admin": admin, "boss": boss, "lead": lead, "rep": rep, "outsider": outsider}


def grant(tenant, factory, role, *permissions):
    """Give ``role`` extra rights through the company's permission matrix."""
    change_setting(factory, tenant, "role_permissions", lambda matrix: {
        **matrix, role: sorted(set(matrix.get(role, ())) | set(permissions))})


def test_me_carries_the_whole_staff_record(tenant, factory, api_for, team):
    body = api_for(tenant, "rep").get("/me").get_json()
    assert body["id"] == team["rep"] and body["superior_id"] == team["lead"]
    assert {"id", "username", "name", "phone", "title", "code", "role", "superior_id", "active", "region",
            "deactivated_at"} <= set(body)
    assert (body["active"], body["role"], body["deactivated_at"]) == (True, "rep", None)
    assert "password" not in body and "password_hash" not in body


def test_every_staff_call_needs_a_token(client_for, tenant, team):
    anonymous = ApiClient(client_for(tenant))
    rep = team["rep"]
    for method, path in (("GET", "/staff"), ("POST", "/staff"), ("GET", f"/staff/{rep}"),
                         ("PATCH", f"/staff/{rep}"), ("POST", f"/staff/{rep}/deactivate"),
                         ("POST", f"/staff/{rep}/reactivate")):
        response = anonymous.call(method, path, json={})
        assert response.status_code == 401, (method, path)
        assert response.get_json()["message"]


def test_the_admin_lists_everyone_paged_and_filtered(admin_api, team):
    everyone = admin_api.get("/staff").get_json()
    assert everyone["total"] == 5 and {p["id"] for p in everyone["items"]} == set(team.values())
    first = admin_api.get("/staff?per_page=2").get_json()
    assert (first["total"], first["page"], first["per_page"], len(first["items"])) == (5, 1, 2, 2)
    assert admin_api.get("/staff?per_page=500").get_json()["per_page"] == 200
    def usernames(query):
        return sorted(p["username"] for p in admin_api.get(f"/staff?{query}").get_json()["items"])

    assert usernames("role=supervisor") == ["boss", "lead"]
    assert usernames(f"superior_id={team['boss']}") == ["lead"]
    assert usernames("q=LEA") == ["lead"]  # contains, any case
    assert usernames("q=%25") == []  # a literal %, not a wildcard
    assert admin_api.get("/staff?role=boss").status_code == 422


def test_a_supervisor_sees_their_subtree_and_a_rep_only_themselves(tenant, api_for, team):
    boss = api_for(tenant, "boss")
    assert {p["username"] for p in boss.get("/staff").get_json()["items"]} == {"boss", "lead", "rep"}
    assert boss.get(f"/staff/{team['rep']}").status_code == 200
    assert boss.get(f"/staff/{team['outsider']}").status_code == 404
    assert boss.get(f"/staff/{team['admin']}").status_code == 404
    rep = api_for(tenant, "rep")
    assert [p["username"] for p in rep.get("/staff").get_json()["items"]] == ["rep"]
    assert rep.get(f"/staff/{team['lead']}").status_code == 404
    assert rep.get("/staff/999999").status_code == 404


def test_create_returns_the_record_and_the_person_must_change_the_password(tenant, client_for, admin_api, team):
    response = admin_api.post("/staff", json=new_person(superior_id=team["lead"]))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["username"], body["name"], body["phone"], body["title"], body["code"], body["region"]) == (
        "wangwu", "王五", "13912345678", "销售代表", "S-001", "华东")
    assert (body["role"], body["superior_id"], body["active"], body["must_change_password"]) == (
        "rep", team["lead"], True, True)
    assert "password" not in body
    assert admin_api.get(f"/staff/{body['id']}").get_json() == body

    newcomer = ApiClient(client_for(tenant), get_token(client_for(tenant), "wangwu", NEW_PASSWORD))
    assert newcomer.get("/me").status_code == 200
    refused = newcomer.get("/customers")
    assert refused.status_code == 403 and set(refused.get_json()["errors"]) == {"password"}


def test_create_names_every_bad_field_at_once_and_saves_nothing(admin_api, team):
    missing = admin_api.post("/staff", json={})
    assert missing.status_code == 422
    assert set(missing.get_json()["errors"]) == {"username", "name", "password"}

    admin_api.post("/staff", json=new_person())
    response = admin_api.post("/staff", json={
        "username": "WANGWU", "password": "short", "name": "赵六", "phone": "12345", "code": "s-001",
        "role": "boss", "superior_id": 999999, "title": 42,
    })
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"username", "password", "phone", "code", "role", "superior_id", "title"}
    assert "This username is already taken." in errors["username"]
    assert all(isinstance(m, str) and m for messages in errors.values() for m in messages)
    shapes = admin_api.post("/staff", json=new_person(username="a b", code=None, superior_id="x"))
    assert set(shapes.get_json()["errors"]) == {"username", "superior_id"}
    assert admin_api.get("/staff").get_json()["total"] == 6  # the team and wangwu, nothing else


def test_a_deactivated_superior_is_refused(admin_api, team):
    admin_api.post(f"/staff/{team['outsider']}/deactivate", json={"handover_to": team["admin"]})
    response = admin_api.post("/staff", json=new_person(superior_id=team["outsider"]))
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {"superior_id"}


def test_without_manage_staff_writes_are_403_on_visible_people_and_404_on_others(tenant, api_for, team):
    boss = api_for(tenant, "boss")  # supervisors do not manage staff by default
    assert boss.post("/staff", json=new_person()).status_code == 403
    assert boss.post("/staff", json={"username": 5}).status_code == 403  # refused before the body is read
    assert boss.patch(f"/staff/{team['rep']}", json={"title": "x"}).status_code == 403
    assert boss.post(f"/staff/{team['rep']}/deactivate", json={"handover_to": team["lead"]}).status_code == 403
    assert boss.post(f"/staff/{team['rep']}/reactivate").status_code == 403
    assert boss.patch(f"/staff/{team['outsider']}", json={"title": "x"}).status_code == 404
    assert boss.post(f"/staff/{team['outsider']}/deactivate", json={}).status_code == 404
    assert boss.get(f"/staff/{team['rep']}").get_json()["title"] is None  # nothing changed
    rep = api_for(tenant, "rep")
    assert rep.patch(f"/staff/{team['rep']}", json={"role": "admin"}).status_code == 403


def test_manage_staff_granted_in_the_matrix_opens_the_calls(tenant, factory, api_for, team):
    grant(tenant, factory, "supervisor", "manage_staff")
    lead = api_for(tenant, "lead")
    assert lead.get("/staff").get_json()["total"] == 5  # managers see everyone
    assert lead.patch(f"/staff/{team['outsider']}", json={"title": "销售"}).get_json()["title"] == "销售"
    refused = lead.patch(f"/staff/{team['admin']}", json={"title": "x"})
    assert refused.status_code == 403  # admins are changed by admins only


def test_patch_changes_only_the_given_fields(admin_api, team):
    response = admin_api.patch(f"/staff/{team['rep']}", json={"title": "大客户经理", "region": "华南",
                                                               "phone": "021-12345678", "id": 1, "active": False})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["title"], body["region"], body["phone"], body["name"]) == ("大客户经理", "华南", "021-12345678", "Rep")
    assert (body["id"], body["active"]) == (team["rep"], True)  # read-only fields sent back are ignored
    bad = admin_api.patch(f"/staff/{team['rep']}", json={"name": "", "phone": "123", "username": "boss"})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"name", "phone", "username"}
    assert admin_api.get(f"/staff/{team['rep']}").get_json() == body


def test_a_password_reset_ends_the_tokens_and_must_be_changed(tenant, client_for, api_for, admin_api, team):
    rep = api_for(tenant, "rep")
    assert admin_api.patch(f"/staff/{team['rep']}", json={"password": "weak"}).get_json()["errors"]["password"]
    response = admin_api.patch(f"/staff/{team['rep']}", json={"password": NEW_PASSWORD})
    assert response.status_code == 200 and response.get_json()["must_change_password"] is True
    assert rep.get("/me").status_code == 401
    client = client_for(tenant)
    assert client.post(f"{API}/auth/token", json={"username": "rep", "password": STAFF_PASSWORD}).status_code == 401
    fresh = ApiClient(client, get_token(client, "rep", NEW_PASSWORD))
    assert fresh.get("/customers").status_code == 403


def test_moving_a_person_moves_their_subtree_and_what_supervisors_see(tenant, factory, api_for, admin_api, team):
    customer = factory.customer(tenant, team["rep"], name="随人走的客户")
    other = factory.user(tenant, "other", role="supervisor", superior_id=team["admin"])
    other_api, boss = api_for(tenant, "other"), api_for(tenant, "boss")
    assert other_api.get(f"/customers/{customer}").status_code == 404

    moved = admin_api.patch(f"/staff/{team['lead']}", json={"superior_id": other})
    assert moved.status_code == 200 and moved.get_json()["superior_id"] == other
    assert [c["id"] for c in other_api.get("/customers").get_json()["items"]] == [customer]
    assert other_api.get(f"/staff/{team['rep']}").status_code == 200  # the lead came with their rep
    assert boss.get(f"/customers/{customer}").status_code == 404
    assert boss.get("/customers").get_json()["total"] == 0


def test_a_cycle_is_refused_naming_superior_id(tenant, admin_api, team):
    for superior in (team["rep"], team["boss"]):  # below the boss, and the boss themselves
        response = admin_api.patch(f"/staff/{team['boss']}", json={"superior_id": superior})
        assert response.status_code == 422
        assert list(response.get_json()["errors"]) == ["superior_id"]
    assert admin_api.get(f"/staff/{team['boss']}").get_json()["superior_id"] == team["admin"]


def test_superior_null_makes_a_top_level_person(tenant, api_for, admin_api, team):
    response = admin_api.patch(f"/staff/{team['lead']}", json={"superior_id": None})
    assert response.status_code == 200 and response.get_json()["superior_id"] is None
    assert api_for(tenant, "boss").get(f"/staff/{team['lead']}").status_code == 404


def test_deactivation_hands_everything_over_and_kills_the_token(tenant, factory, api_for, admin_api, team):
    customers = [factory.customer(tenant, team["lead"], name=f"客户{i}", phone=f"1380013800{i}") for i in range(2)]
    deal = factory.deal(tenant, customers[0], team["lead"])
    lead = api_for(tenant, "lead")
    assert lead.get("/me").status_code == 200

    response = admin_api.post(f"/staff/{team['lead']}/deactivate", json={"handover_to": team["outsider"]})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["moved"] == {"customers": 2, "deals": 1, "tasks": 0, "subordinates": 1, "service_requests": 0, "campaigns": 0, "segments": 0}
    assert body["staff"]["active"] is False and body["staff"]["deactivated_at"]
    assert lead.get("/me").status_code == 401
    outsider = api_for(tenant, "outsider")
    assert sorted(c["id"] for c in outsider.get("/customers").get_json()["items"]) == sorted(customers)
    assert all(c["owner_id"] == team["outsider"] for c in outsider.get("/customers").get_json()["items"])
    assert outsider.post(f"/deals/{deal}/move", json={"stage_id": factory.stages(tenant)[1][0]}).status_code == 200
    assert admin_api.get(f"/staff/{team['rep']}").get_json()["superior_id"] == team["boss"]  # moved up
    assert admin_api.get("/staff?active=false").get_json()["items"][0]["id"] == team["lead"]


def test_deactivation_names_the_bad_field(tenant, admin_api, team):
    rep = team["rep"]
    for body in ({}, {"handover_to": None}, {"handover_to": 999999}, {"handover_to": rep}):
        response = admin_api.post(f"/staff/{rep}/deactivate", json=body)
        assert response.status_code == 422 and list(response.get_json()["errors"]) == ["handover_to"], body
    assert set(admin_api.post(f"/staff/{rep}/deactivate", json={"handover_to": "x"}).get_json()["errors"]) == {
        "handover_to"}
    me = admin_api.get("/me").get_json()["id"]
    response = admin_api.post(f"/staff/{me}/deactivate", json={"handover_to": rep})
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["id"]
    assert admin_api.post(f"/staff/{rep}/deactivate", json={"handover_to": team["lead"]}).status_code == 200
    again = admin_api.post(f"/staff/{rep}/deactivate", json={"handover_to": team["lead"]})
    assert again.status_code == 422 and "id" in again.get_json()["errors"]
    assert admin_api.post(f"/staff/{team['lead']}/deactivate", json={"handover_to": rep}).get_json()["errors"] == {
        "handover_to": ["Choose an active colleague to take over the records."]}


def test_reactivation_lets_the_person_back_in(tenant, client_for, admin_api, team):
    rep = team["rep"]
    admin_api.post(f"/staff/{rep}/deactivate", json={"handover_to": team["lead"]})
    client = client_for(tenant)
    assert client.post(f"{API}/auth/token", json={"username": "rep", "password": STAFF_PASSWORD}).status_code == 401
    response = admin_api.post(f"/staff/{rep}/reactivate")
    assert response.status_code == 200
    assert (response.get_json()["active"], response.get_json()["deactivated_at"]) == (True, None)
    assert ApiClient(client, get_token(client, "rep", STAFF_PASSWORD)).get("/me").status_code == 200
    again = admin_api.post(f"/staff/{rep}/reactivate")
    assert again.status_code == 422 and list(again.get_json()["errors"]) == ["id"]


def test_openapi_lists_the_staff_paths(client_for, tenant):
    spec = client_for(tenant).get(f"{API}/openapi.json").get_json()
    paths = spec["paths"]
    expected = {
        "/api/v1/staff": {"get", "post"}, "/api/v1/staff/{staff_id}": {"get", "patch"},
        "/api/v1/staff/{staff_id}/deactivate": {"post"}, "/api/v1/staff/{staff_id}/reactivate": {"post"},
        "/api/v1/customers/{customer_id}/transfer": {"post"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    staff = spec["components"]["schemas"]["Staff"]["properties"]
    assert {"id", "username", "name", "phone", "title", "code", "role", "superior_id", "active"} <= set(staff)
    assert "password" in spec["components"]["schemas"]["StaffCreate"]["properties"]
    assert {"403", "404", "422"} <= set(paths["/api/v1/staff/{staff_id}"]["patch"]["responses"])


def test_a_persons_email_is_kept_and_checked(admin_api, admin_client):
    """Issue 13.8: a forgotten password's link goes to the person's email, which staff managers and the person
    themselves now set (before, only the admin from the sign-up had one)."""
    bad = admin_api.post("/staff", json={"username": "mail.rep", "name": "Mail Rep", "password": "Harbor#Lantern27",
                                         "email": "not-an-address"})
    assert bad.status_code == 422 and bad.get_json()["errors"] == {"email": ["Enter a valid email address."]}
    made = admin_api.post("/staff", json={"username": "mail.rep", "name": "Mail Rep", "password": "Harbor#Lantern27",
                                          "email": "rep@example.com"})
    assert made.status_code == 201 and made.get_json()["email"] == "rep@example.com"
    saved = admin_client.post("/me", data={"name": "Admin", "email": "boss@example.com", "locale": "en"})
    assert saved.status_code in (200, 302)
    assert admin_api.get("/me").get_json()["email"] == "boss@example.com"
    refused = admin_client.post("/me", data={"name": "Admin", "email": "boss@", "locale": "en"})
    assert "Enter a valid email address." in refused.text
