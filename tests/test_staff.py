"""Staff list and the add form: superior, unique username and code, first password forced."""
from tests.conftest import STAFF_PASSWORD, login

NEW = {"name": "张三", "username": "zhangsan", "password": "Start#2026", "code": "S001", "phone": "13700001111",
       "title": "销售", "superior_id": 0, "role": "rep"}


def test_admin_adds_staff_under_a_superior(tenant, admin_client, factory, client_for):
    admin = factory.admin_id(tenant)
    added = admin_client.post("/staff/new", data=dict(NEW, superior_id=admin))
    assert added.status_code == 302
    listing = admin_client.get("/staff/", headers={"HX-Request": "true"}).text
    assert "zhangsan" in listing and "S001" in listing
    newcomer = client_for(tenant)
    assert login(newcomer, "zhangsan", "Start#2026").location.endswith("/password")


def test_taken_username_and_code_are_named(tenant, admin_client):
    admin_client.post("/staff/new", data=NEW)
    again = admin_client.post("/staff/new", data=dict(NEW, username="ZhangSan"), headers={"Accept-Language": "en"})
    assert "This username is already taken." in again.text
    assert "This staff code is already taken." in again.text


def test_only_admins_add_staff(tenant, client_for, factory):
    factory.user(tenant, "plainrep", superior_id=factory.admin_id(tenant))
    client = client_for(tenant)
    login(client, "plainrep", STAFF_PASSWORD)
    assert client.get("/staff/new").status_code == 403
    assert client.post("/staff/new", data=dict(NEW, username="sneaky")).status_code == 403
