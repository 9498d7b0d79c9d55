"""Company settings and the permission matrix (B4): only for manage_settings, and changes take effect at once."""
from sqlalchemy import select

from crm_saas.core.permissions import MODULES, PERMISSIONS
from tests.conftest import STAFF_PASSWORD, login


def logged_in(tenant, factory, client_for, username, role, superior_id=None):
    factory.user(tenant, username, role=role, superior_id=superior_id or factory.admin_id(tenant))
    client = client_for(tenant)
    assert login(client, username, STAFF_PASSWORD).status_code == 302
    return client


def stored(factory, tenant, key):
    from crm_saas.core.settings import get_setting

    return factory._run(tenant, lambda: get_setting(key))


def log_entries(factory, tenant):
    from crm_saas.core.audit import OperationLog
    from crm_saas.extensions import db

    return factory._run(tenant, lambda: [(e.action, e.actor_name, e.details)
                                         for e in db.session.scalars(select(OperationLog).order_by(OperationLog.id))])


def test_only_holders_of_manage_settings_see_or_change_settings(tenant, client_for, factory):
    for username, role in (("rep", "rep"), ("boss", "supervisor")):
        client = logged_in(tenant, factory, client_for, username, role)
        assert client.get("/settings/").status_code == 403
        assert client.post("/settings/general", data={"customer_approval": "y"}).status_code == 403
        assert client.post("/settings/permissions", data={"submitted": "1", "rep": ["see_all"]}).status_code == 403
    assert stored(factory, tenant, "customer_approval") is False
    assert stored(factory, tenant, "role_permissions")["rep"] == []
    assert client_for(tenant).get("/settings/").status_code == 302  # anonymous: to the login page


def test_the_matrix_shows_every_right_for_every_role(tenant, admin_client):
    page = admin_client.get("/settings/")
    assert page.status_code == 200
    for text in ("Manage staff", "Approve new customers", "See every record in the company, as an admin does.",
                 "Administrator", "Supervisor", "Sales rep",
                 "Customers entered by reps need a supervisor"):
        assert text in page.text
    # Admins hold everything: every right ticked, and the boxes cannot be unticked; nor can the modules of the
    # built-in supervisor and rep, who reach every module.
    assert page.text.count("checked disabled") == len(PERMISSIONS) + 2 * len(MODULES)
    assert 'name="supervisor" value="approve_customers"' in page.text


def test_turning_approval_on_is_saved_and_logged(tenant, admin_client, factory):
    saved = admin_client.post("/settings/general", data={"customer_approval": "y"}, headers={"HX-Request": "true"})
    assert saved.status_code == 200 and "Settings saved." in saved.text
    assert 'id="settings-general"' in saved.text and "<html" not in saved.text
    assert stored(factory, tenant, "customer_approval") is True
    assert "Nothing changed." in admin_client.post("/settings/general", data={"customer_approval": "y"}).text
    admin_client.post("/settings/general", data={})  # unticked
    assert stored(factory, tenant, "customer_approval") is False
    changes = [d for action, _, d in log_entries(factory, tenant) if action == "setting_changed"]
    assert changes == [{"key": "customer_approval", "old": False, "new": True},
                       {"key": "customer_approval", "old": True, "new": False}]
    log = admin_client.get("/audit/operations").text
    assert "Setting changed" in log and "Customers entered by reps need a supervisor" in log


def test_granting_export_to_reps_takes_effect_and_is_logged(tenant, admin_client, client_for, factory):
    rep = logged_in(tenant, factory, client_for, "rep", "rep")
    assert "Export to Excel" not in rep.get("/customers/").text
    matrix = {"submitted": "1", "supervisor": ["transfer_customers", "export", "approve_customers", "delete_customers"],
              "rep": ["export"]}
    saved = admin_client.post("/settings/permissions", data=matrix, headers={"HX-Request": "true"})
    assert saved.status_code == 200 and "Permissions saved." in saved.text
    assert 'id="settings-permissions"' in saved.text and 'name="rep" value="export" id="perm-rep-export"' in saved.text
    assert "Export to Excel" in rep.get("/customers/").text
    assert stored(factory, tenant, "role_permissions")["rep"] == ["export"]
    entry = [d for action, _, d in log_entries(factory, tenant) if action == "permissions_changed"]
    assert entry == [{"granted": {"rep": ["export"]}, "revoked": {}}]
    log = admin_client.get("/audit/operations").text
    assert "Permissions changed" in log and "Sales rep (Export)" in log


def test_revoking_everything_and_granting_settings_to_supervisors(tenant, admin_client, client_for, factory):
    boss = logged_in(tenant, factory, client_for, "boss", "supervisor")
    admin_client.post("/settings/permissions", data={"submitted": "1"})  # every box unticked
    assert stored(factory, tenant, "role_permissions") == {"supervisor": [], "rep": []}
    assert boss.get("/approvals/").status_code == 403
    admin_client.post("/settings/permissions", data={"submitted": "1", "supervisor": ["manage_settings"]})
    assert boss.get("/settings/").status_code == 200
    revoked = [d["revoked"] for action, _, d in log_entries(factory, tenant) if action == "permissions_changed"][0]
    assert revoked == {"supervisor": ["approve_customers", "delete_customers", "export", "transfer_customers"]}


def test_an_unknown_right_is_refused_and_nothing_is_saved(tenant, admin_client, factory):
    bad = admin_client.post("/settings/permissions", data={"submitted": "1", "rep": ["export", "launch_missiles"]})
    assert bad.status_code == 422 and "Sales rep:" in bad.text
    assert stored(factory, tenant, "role_permissions")["rep"] == []
