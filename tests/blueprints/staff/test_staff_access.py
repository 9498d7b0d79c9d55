"""Who may change whom: 403 without manage_staff for people one sees, 404 for people one doesn't;
staff managers who are not admins never touch admins (B4)."""
import pytest

from tests.blueprints.staff.test_staff import NEW, staff_id
from tests.blueprints.staff.test_staff_tree import read_tree
from tests.conftest import STAFF_PASSWORD, login


def grant(factory, tenant, role, permissions):
    def store():
        from sqlalchemy import select

        from crm_saas.core.settings import get_setting, set_setting
        from crm_saas.core.users import User
        from crm_saas.extensions import db

        admin = db.session.scalar(select(User).where(User.username == "admin"))
        set_setting("role_permissions", {**get_setting("role_permissions"), role: permissions}, actor=admin)
        db.session.commit()

    factory._run(tenant, store)


@pytest.fixture
def people(tenant, factory):
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    mine = factory.user(tenant, "mine", superior_id=boss)
    other = factory.user(tenant, "other", role="supervisor", superior_id=admin)
    return {"admin": admin, "boss": boss, "mine": mine, "other": other}


def changes(client, person, handover):
    """Every staff-changing request on ``person``, with its status."""
    return [
        client.get(f"/staff/{person}/edit").status_code,
        client.post(f"/staff/{person}/edit", data=dict(NEW, username="renamed")).status_code,
        client.post(f"/staff/{person}/move", data={"superior_id": ""}).status_code,
        client.get(f"/staff/{person}/deactivate").status_code,
        client.post(f"/staff/{person}/deactivate", data={"handover_to_id": handover}).status_code,
        client.post(f"/staff/{person}/reactivate").status_code,
    ]


def test_a_supervisor_without_the_right_gets_403_for_their_people_and_404_for_others(
        tenant, client_for, people, admin_client):
    client = client_for(tenant)
    login(client, "boss", STAFF_PASSWORD)
    assert changes(client, people["mine"], people["boss"]) == [403] * 6
    assert changes(client, people["other"], people["boss"]) == [404] * 6
    assert changes(client, 999999, people["boss"]) == [404] * 6
    listing = client.get("/staff/").text
    assert "mine" in listing and 'data-username="other"' not in listing and "/edit" not in listing
    assert 'data-username="mine"' in admin_client.get("/staff/").text  # nothing was changed


def test_a_rep_gets_403_for_themselves_and_404_for_their_boss(tenant, client_for, people):
    client = client_for(tenant)
    login(client, "mine", STAFF_PASSWORD)
    assert changes(client, people["mine"], people["boss"]) == [403] * 6
    assert changes(client, people["boss"], people["mine"]) == [404] * 6


def test_a_staff_manager_adds_and_moves_but_never_appoints_admins(tenant, client_for, factory, people):
    grant(factory, tenant, "supervisor", ["manage_staff"])
    client = client_for(tenant)
    login(client, "boss", STAFF_PASSWORD)
    form = client.get("/staff/new")
    assert form.status_code == 200
    assert 'value="admin"' not in form.text and 'value="supervisor"' in form.text

    sneaky = client.post("/staff/new", data=dict(NEW, role="admin"))
    assert sneaky.status_code == 422
    assert client.post("/staff/new", data=NEW).status_code == 302
    added = staff_id(client, "zhangsan")
    promote = client.post(f"/staff/{added}/edit", data=dict(NEW, role="admin"))
    assert promote.status_code == 422
    assert "Sales rep" in client.get("/staff/").text.split('data-username="zhangsan"')[1].split("</tr>")[0]

    moved = client.post(f"/staff/{people['mine']}/move", data={"superior_id": people["other"]},
                        headers={"HX-Request": "true"})
    assert moved.status_code == 200 and read_tree(moved.text).parents["mine"] == "other"


def test_a_staff_manager_cannot_edit_move_or_deactivate_an_admin(tenant, client_for, factory, people):
    grant(factory, tenant, "supervisor", ["manage_staff"])
    client = client_for(tenant)
    login(client, "boss", STAFF_PASSWORD)
    admin = people["admin"]
    assert client.get(f"/staff/{admin}/edit").status_code == 403
    assert client.post(f"/staff/{admin}/edit", data=dict(NEW, username="admin2", role="rep")).status_code == 403
    assert client.get(f"/staff/{admin}/deactivate").status_code == 403
    assert client.post(f"/staff/{admin}/deactivate", data={"handover_to_id": people["boss"]}).status_code == 403
    refused = client.post(f"/staff/{admin}/move", data={"superior_id": people["other"]},
                          headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "Only an administrator can change administrators." in refused.text
    assert read_tree(refused.text).parents["admin"] is None
    row = client.get("/staff/").text.split('data-username="admin"')[1].split("</tr>")[0]
    assert "/edit" not in row and "/deactivate" not in row
