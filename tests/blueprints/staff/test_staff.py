"""Staff list and the add/edit forms: superior, unique username and code, first password forced (B1)."""
import re

from tests.conftest import STAFF_PASSWORD, login

NEW = {"name": "张三", "username": "zhangsan", "password": "Start#2026", "code": "S001", "phone": "13700001111",
       "title": "销售", "region": "华东", "superior_id": 0, "role": "rep"}


def staff_id(client, username):
    row = re.search(rf'<tr data-staff-id="(\d+)" data-username="{username}"', client.get("/staff/").text)
    return int(row.group(1))


def test_admin_adds_staff_under_a_superior(tenant, admin_client, factory, client_for):
    admin = factory.admin_id(tenant)
    added = admin_client.post("/staff/new", data=dict(NEW, superior_id=admin))
    assert added.status_code == 302
    listing = admin_client.get("/staff/", headers={"HX-Request": "true"}).text
    assert "zhangsan" in listing and "S001" in listing and "华东" in listing and "13700001111" in listing
    assert "Sales rep" in listing and "Active" in listing
    newcomer = client_for(tenant)
    assert login(newcomer, "zhangsan", "Start#2026").location.endswith("/password")


def test_taken_username_and_code_are_named(tenant, admin_client):
    admin_client.post("/staff/new", data=NEW)
    again = admin_client.post("/staff/new", data=dict(NEW, username="ZhangSan"))
    assert again.status_code == 422
    assert "This username is already taken." in again.text
    assert "This staff code is already taken." in again.text
    assert admin_client.get("/staff/").text.lower().count('data-username="zhangsan"') == 1


def test_form_errors_are_named_and_nothing_saved(tenant, admin_client):
    bad = admin_client.post("/staff/new", data=dict(NEW, password="short", phone="123", name=""))
    assert bad.status_code == 422
    assert "Name is required." in bad.text
    assert "Password must be at least 8 characters long." in bad.text
    assert "Enter an 11-digit mobile number" in bad.text
    assert "zhangsan" not in admin_client.get("/staff/").text


def test_admin_edits_a_person_and_resets_their_password(tenant, admin_client, client_for):
    admin_client.post("/staff/new", data=NEW)
    person = staff_id(admin_client, "zhangsan")
    form = admin_client.get(f"/staff/{person}/edit")
    assert form.status_code == 200 and 'value="zhangsan"' in form.text and "Reset password" in form.text
    kept = admin_client.post(f"/staff/{person}/edit", data=dict(NEW, title="经理", password="", role="supervisor"))
    assert kept.status_code == 302
    listing = admin_client.get("/staff/").text
    assert "经理" in listing and "Supervisor" in listing
    assert login(client_for(tenant), "zhangsan", "Start#2026").status_code == 302  # password kept

    admin_client.post(f"/staff/{person}/edit", data=dict(NEW, password="Reset#2026"))
    assert login(client_for(tenant), "zhangsan", "Start#2026").status_code == 401
    assert login(client_for(tenant), "zhangsan", "Reset#2026").location.endswith("/password")


def test_edit_refuses_a_taken_username_and_a_superior_below_the_person(tenant, admin_client, factory):
    boss = factory.user(tenant, "boss", role="supervisor")
    worker = factory.user(tenant, "worker", superior_id=boss)
    page = admin_client.get(f"/staff/{boss}/edit").text
    assert f'<option value="{worker}"' not in page  # not offered: would be a cycle
    clash = admin_client.post(f"/staff/{boss}/edit", data=dict(NEW, username="worker", code="", role="supervisor"))
    assert clash.status_code == 422 and "This username is already taken." in clash.text
    cycle = admin_client.post(f"/staff/{boss}/edit", data=dict(NEW, username="boss", superior_id=worker))
    assert cycle.status_code == 422
    assert "boss" in admin_client.get("/staff/").text


def test_username_suggestions(tenant, admin_client, factory):
    def suggest(**params):
        response = admin_client.get("/staff/suggest-username", query_string=params, headers={"HX-Request": "true"})
        assert response.status_code == 200 and 'id="username-field"' in response.text
        return re.search(r'name="username"[^>]*value="([^"]*)"', response.text).group(1)

    assert suggest(name="张三", username="", suggested="") == "zhangsan"
    assert suggest(name="张三海", username="zhangsan", suggested="zhangsan") == "zhangsh"
    assert suggest(name="张三", username="mine", suggested="zhangsan") == "mine"  # typed: left alone
    assert suggest(name="张三", username="mine", suggested="") == "mine"
    factory.user(tenant, "zhangsan")
    assert suggest(name="张三", username="", suggested="") == "zhangsan1"


def test_the_add_form_asks_for_suggestions_as_the_name_is_typed(tenant, admin_client):
    page = admin_client.get("/staff/new").text
    assert 'hx-get="/staff/suggest-username"' in page and 'hx-trigger="input changed delay:300ms"' in page
    assert 'hx-include="#username-field"' in page


def test_only_staff_managers_add_staff(tenant, client_for, factory):
    factory.user(tenant, "plainrep", superior_id=factory.admin_id(tenant))
    client = client_for(tenant)
    login(client, "plainrep", STAFF_PASSWORD)
    assert client.get("/staff/new").status_code == 403
    assert client.post("/staff/new", data=dict(NEW, username="sneaky")).status_code == 403
    assert client.get("/staff/suggest-username", query_string={"name": "张三"}).status_code == 403
    listing = client.get("/staff/")
    assert listing.status_code == 200 and "plainrep" in listing.text
    assert "Add staff member" not in listing.text and 'data-username="admin"' not in listing.text


def test_the_staff_list_reads_in_pinyin_order_active_people_first(tenant, admin_client, factory):
    """Issue 13.10: the list had no order a Chinese reader knows; names now sort as a dictionary does."""
    for username, name in (("zw", "张伟"), ("ln", "李娜"), ("cj", "陈静"), ("wf", "王芳")):
        factory.user(tenant, username, name=name)
    factory.user(tenant, "gone", name="艾丽", active=False)
    page = admin_client.get("/staff/").text
    rows = re.findall(r'data-username="(zw|ln|cj|wf|gone)"[^>]*>\s*<td>[^<]*</td><td>[^<]*</td><td>([^<]*)</td>', page)
    names = [name for _username, name in rows]
    assert names == ["陈静", "李娜", "王芳", "张伟", "艾丽"]  # chen, li, wang, zhang; the departed last


def test_a_person_picker_offers_only_the_people_of_its_scope(tenant, client_for, factory):
    """Pickers ask as one types (a company may have thousands of people), under the visibility rule."""
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin, name="王经理")
    factory.user(tenant, "mine", superior_id=boss, name="王小明")
    factory.user(tenant, "gone", superior_id=boss, name="王离职", active=False)
    factory.user(tenant, "other", superior_id=admin, name="王别人")
    client = client_for(tenant)
    login(client, "boss", STAFF_PASSWORD)

    def names(scope, q="王", **extra):
        page = client.get("/staff/choices", query_string={"scope": scope, "q": q, "target": "pick-x-options", **extra})
        assert page.status_code == 200
        return re.findall(r'data-value="\d+"[^>]*>\s*([^<]+?)\s*<small>', page.text)

    assert names("visible") == ["王经理", "王离职", "王小明"]  # pinyin order; nobody outside the team
    assert names("active") == ["王经理", "王小明"]
    assert names("others") == ["王小明"]  # whom the boss may hand records to, themselves aside
    assert names("leaders") == ["王经理's team"]
    assert "Any owner" in client.get("/staff/choices?scope=visible&target=pick-x-options&any=owner").text
    assert client.get("/staff/choices?scope=everyone&target=pick-x-options").status_code == 404
    assert client.get('/staff/choices?scope=visible&target="><script>').status_code == 404
