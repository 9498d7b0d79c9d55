"""Custom roles (B4) on the pages: an admin adds 客服 with the service module only, gives it to a person, and that
person finds deals, customers and settings closed (403 for pages, 404 for records) while the built-in roles keep
their defaults."""
import re

import pytest
from sqlalchemy import select

from tests.conftest import STAFF_PASSWORD, login

HX = {"HX-Request": "true"}


def add_role(admin_client, name, key=""):
    return admin_client.post("/settings/roles", data={"name": name, "key": key}, headers=HX)


def save_matrix(admin_client, **columns):
    """Post the matrix as the page does: every column it showed, each with the boxes ticked."""
    data = {"submitted": "1", "columns": ",".join(columns)}
    for key, codes in columns.items():
        data[key if key in ("supervisor", "rep") else f"custom_{key}"] = codes
    return admin_client.post("/settings/permissions", data=data, headers=HX)


def log_details(factory, tenant, action):
    from crm_saas.core.audit import OperationLog
    from crm_saas.extensions import db

    return factory._run(tenant, lambda: [e.details for e in db.session.scalars(
        select(OperationLog).where(OperationLog.action == action).order_by(OperationLog.id))])


@pytest.fixture
def kefu(tenant, factory, admin_client, client_for):
    """The admin adds 客服 (key kefu) holding service and service_desk, and gives it to 小王 through the staff form;
    a customer with a deal exists, owned by the admin. Returns 小王's signed-in client and the records' ids."""
    assert add_role(admin_client, "客服", "kefu").status_code == 200
    assert save_matrix(admin_client, kefu=["service", "service_desk"]).status_code == 200
    admin = factory.admin_id(tenant)
    added = admin_client.post("/staff/new", data={"name": "小王", "username": "xiaowang", "password": STAFF_PASSWORD,
                                                  "superior_id": admin, "role": "kefu"})
    assert added.status_code == 302, added.text
    customer = factory.customer(tenant, admin, name="华星科技有限公司")
    deal = factory.deal(tenant, customer, admin, name="华星一期")

    def no_first_password_change():
        from crm_saas.core.users import User
        from crm_saas.extensions import db

        db.session.scalar(select(User).where(User.username == "xiaowang")).must_change_password = False
        db.session.commit()

    factory._run(tenant, no_first_password_change)
    client = client_for(tenant)
    assert login(client, "xiaowang", STAFF_PASSWORD).status_code == 302
    return {"client": client, "customer": customer, "deal": deal}


def test_the_service_role_cannot_open_deals_customers_or_settings(kefu, admin_client):
    person = kefu["client"]
    for page in ("/customers/", "/board", "/deals/", "/settings/", "/settings/roles", "/reports/"):
        assert person.get(page).status_code == 403, page
    for record in (f"/deals/{kefu['deal']}", f"/customers/{kefu['customer']}"):
        assert person.get(record).status_code == 404, record
    assert person.get("/service/").status_code == 200
    home = person.get("/")
    assert home.status_code == 302 and home.location.endswith("/service/")
    menu = person.get("/service/").text
    assert 'href="/customers/"' not in menu and 'href="/board"' not in menu and 'href="/deals/"' not in menu
    assert 'href="/service/"' in menu and "Service requests" in menu
    # The staff list names the role as the admin did.
    assert "<td>客服</td>" in admin_client.get("/staff/", headers=HX).text


def test_built_in_roles_keep_their_modules(tenant, factory, client_for, admin_client):
    factory.user(tenant, "rep", superior_id=factory.admin_id(tenant))
    rep = client_for(tenant)
    login(rep, "rep", STAFF_PASSWORD)
    for page in ("/customers/", "/board", "/deals/"):
        assert rep.get(page).status_code == 200, page
    assert rep.get("/").location.endswith("/dashboard")
    menu = rep.get("/customers/").text
    assert 'href="/customers/"' in menu and 'href="/board"' in menu and "Segments" in menu


def test_someone_holding_no_module_lands_on_their_profile(tenant, factory, client_for, admin_client):
    assert add_role(admin_client, "访客", "guest").status_code == 200
    factory.user(tenant, "guest", role="guest", superior_id=factory.admin_id(tenant))
    guest = client_for(tenant)
    login(guest, "guest", STAFF_PASSWORD)
    home = guest.get("/")
    assert home.status_code == 302 and home.location.endswith("/me")
    profile = guest.get("/me")
    assert profile.status_code == 200 and "访客" in profile.text
    assert 'href="/service/"' not in profile.text and 'href="/dashboard"' not in profile.text


def test_the_matrix_has_a_column_per_role_and_saves_them_in_one_entry(tenant, admin_client, factory):
    add_role(admin_client, "市场", "market")
    page = admin_client.get("/settings/").text
    assert [h for h in re.findall(r"<th>([^<]+)</th>", page) if h in (
        "Administrator", "Supervisor", "Sales rep", "市场")] == ["Administrator", "Supervisor", "Sales rep", "市场"]
    assert page.index(">Modules<") < page.index(">Actions<")
    assert 'href="/settings/roles"' in page and "Built-in roles reach every module." in page
    # Built-in columns: modules ticked and locked; the custom column: every box free.
    assert 'name="supervisor" value="customers"' not in page and 'name="custom_market" value="customers"' in page
    assert 'name="rep" value="export"' in page and 'name="custom_market" value="export"' in page

    saved = save_matrix(admin_client, supervisor=["export"], rep=["export"], market=["campaigns", "customers", "export"])
    assert saved.status_code == 200 and "Permissions saved." in saved.text
    assert re.search(r'name="custom_market" value="campaigns" id="perm-market-campaigns"[^>]*checked>', saved.text)
    assert not re.search(r'name="custom_market" value="deals"[^>]*checked>', saved.text)
    assert log_details(factory, tenant, "permissions_changed") == [{
        "granted": {"rep": ["export"], "market": ["campaigns", "customers", "export"]},
        "revoked": {"supervisor": ["approve_customers", "delete_customers", "transfer_customers"]}}]
    log = admin_client.get("/audit/operations").text
    assert "市场 (Campaigns and segments, Customers, Export)" in log

    # A module for a built-in role is not a choice; a column the page did not show keeps its rights.
    bad = save_matrix(admin_client, rep=["customers"], supervisor=[])
    assert bad.status_code == 422 and "Sales rep:" in bad.text
    assert save_matrix(admin_client, supervisor=[], rep=[]).status_code == 200
    assert "market" not in log_details(factory, tenant, "permissions_changed")[-1]["revoked"]


def test_adding_renaming_and_deleting_roles(tenant, factory, admin_client):
    assert admin_client.get("/settings/roles").status_code == 200
    added = add_role(admin_client, "客服")
    assert added.status_code == 200 and "客服 added." in added.text and "<code>role_1</code>" in added.text
    for name, key, field_error in (("客服", "", "Another role already has this name."),
                                   ("Supervisor", "", "Another role already has this name."),
                                   ("售后", "Bad-Key", "Use 2-20 lowercase letters, digits or underscores."),
                                   ("售后", "rep", "This key belongs to a built-in role."),
                                   ("售后", "role_1", "Another role already has this key."),
                                   ("", "", "Name is required.")):
        refused = add_role(admin_client, name, key)
        assert refused.status_code == 422 and field_error in refused.text, (name, key)
    role_id = int(re.search(r'action="/settings/roles/(\d+)/rename"', added.text).group(1))
    clash = admin_client.post(f"/settings/roles/{role_id}/rename", data={f"role-{role_id}-name": "Sales rep"},
                              headers=HX)
    assert clash.status_code == 422 and "Another role already has this name." in clash.text
    renamed = admin_client.post(f"/settings/roles/{role_id}/rename", data={f"role-{role_id}-name": "售后服务"},
                                headers=HX)
    assert renamed.status_code == 200 and "客服 is now 售后服务." in renamed.text

    factory.user(tenant, "xiaoli", role="role_1", superior_id=factory.admin_id(tenant))
    held = admin_client.post(f"/settings/roles/{role_id}/delete", headers=HX)
    assert held.status_code == 422 and "1 person holds this role" in held.text
    assert re.search(r'<tr data-role="role_1">.*?<td>1</td>', held.text, re.S)

    def give_back_rep():
        from crm_saas.core.users import User
        from crm_saas.extensions import db

        db.session.scalar(select(User).where(User.username == "xiaoli")).role = "rep"
        db.session.commit()

    factory._run(tenant, give_back_rep)
    gone = admin_client.post(f"/settings/roles/{role_id}/delete", headers=HX)
    assert gone.status_code == 200 and "售后服务 deleted." in gone.text and "role_1" not in gone.text
    actions = [a for a in ("role_created", "role_renamed", "role_deleted") if log_details(factory, tenant, a)]
    assert actions == ["role_created", "role_renamed", "role_deleted"]
    log = admin_client.get("/audit/operations").text
    assert "Role added" in log and "Name: 客服 → 售后服务" in log and "Role deleted" in log


def test_only_settings_managers_reach_the_roles_page(tenant, factory, client_for):
    factory.user(tenant, "boss", role="supervisor", superior_id=factory.admin_id(tenant))
    boss = client_for(tenant)
    login(boss, "boss", STAFF_PASSWORD)
    assert boss.get("/settings/roles").status_code == 403
    assert boss.post("/settings/roles", data={"name": "客服"}).status_code == 403


def test_see_all_in_a_custom_role_widens_who_sees_and_search_follows_the_modules(tenant, factory, admin_client,
                                                                               client_for):
    add_role(admin_client, "审计", "auditor")
    save_matrix(admin_client, auditor=["see_all", "service"])
    admin = factory.admin_id(tenant)
    rep = factory.user(tenant, "rep", superior_id=admin)
    factory.user(tenant, "auditor", role="auditor", superior_id=admin)
    customer = factory.customer(tenant, rep, name="华星科技有限公司")
    factory.deal(tenant, customer, rep, name="华星一期")
    access = admin_client.get(f"/customers/{customer}/access").text
    assert re.search(r'data-username="auditor" data-reason="see_all">\s*<td>[^<]+</td>\s*<td>审计</td>', access)

    auditor = client_for(tenant)
    login(auditor, "auditor", STAFF_PASSWORD)
    found = auditor.get("/search?q=华星", headers=HX).text
    assert "华星科技有限公司" not in found and "华星一期" not in found
    # With the modules, the same person finds both (see_all lets them see the rep's records).
    save_matrix(admin_client, auditor=["see_all", "service", "customers", "deals"])
    found = auditor.get("/search?q=华星", headers=HX).text
    assert "华星科技有限公司" in found and "华星一期" in found
