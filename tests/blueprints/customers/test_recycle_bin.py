"""C9: delete sends a customer and its deals to the recycle bin; restore brings both back; admins purge."""
from datetime import timedelta

from tests.api_client import change_setting, valid_customer
from tests.conftest import STAFF_PASSWORD, login


def board_deals(api):
    pipeline = api.get("/pipelines").get_json()[0]["id"]
    return [d["id"] for s in api.get(f"/pipelines/{pipeline}/board").get_json()["stages"] for d in s["deals"]]


def test_delete_restore_through_the_api(tenant, factory, admin_api, api_for):
    admin = factory.admin_id(tenant)
    cid = factory.customer(tenant, admin, name="回收客户")
    deal = factory.deal(tenant, cid, admin, name="跟着走的商机")
    assert admin_api.delete(f"/customers/{cid}").status_code == 204
    assert admin_api.get(f"/customers/{cid}").status_code == 404
    assert admin_api.get("/customers").get_json()["total"] == 0
    assert deal not in board_deals(admin_api)
    assert admin_api.post(f"/deals/{deal}/move", json={"stage_id": 1}).status_code == 404
    binned = admin_api.get("/customers/recycle-bin").get_json()
    assert [c["name"] for c in binned["items"]] == ["回收客户"]
    restored = admin_api.post(f"/customers/{cid}/restore")
    assert restored.status_code == 200 and restored.get_json()["name"] == "回收客户"
    assert deal in board_deals(admin_api)
    assert admin_api.get("/customers/recycle-bin").get_json()["total"] == 0
    assert admin_api.post(f"/customers/{cid}/restore").status_code == 404  # not in the bin any more
    actions = [c["action"] for c in admin_api.get(f"/customers/{cid}/changes").get_json()["items"]]
    assert actions[:2] == ["restored", "deleted"]


def test_reps_may_not_delete_by_default_and_hidden_is_404(tenant, factory, api_for):
    admin = factory.admin_id(tenant)
    rep = factory.user(tenant, "rep", superior_id=admin)
    mine, other = factory.customer(tenant, rep), factory.customer(tenant, admin, phone="13900000000")
    rep_api = api_for(tenant, "rep")
    assert rep_api.delete(f"/customers/{mine}").status_code == 403
    assert rep_api.delete(f"/customers/{other}").status_code == 404
    change_setting(factory, tenant, "role_permissions", lambda m: {**m, "rep": ["delete_customers"]})
    assert rep_api.delete(f"/customers/{mine}").status_code == 204
    assert [c["id"] for c in rep_api.get("/customers/recycle-bin").get_json()["items"]] == [mine]


def test_the_page_deletes_restores_and_only_admins_purge(tenant, factory, admin_client, client_for, admin_api):
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    cid = factory.customer(tenant, boss, name="页面回收客户")
    deal = factory.deal(tenant, cid, boss)
    deleted = admin_client.post(f"/customers/{cid}/delete", data={"reason": "重复录入"})
    assert deleted.status_code == 302 and deleted.location.endswith("/customers/recycle-bin")
    bin_page = admin_client.get("/customers/recycle-bin").text
    assert "页面回收客户" in bin_page and ">Purge</button>" in bin_page
    supervisor = client_for(tenant)
    login(supervisor, "boss", STAFF_PASSWORD)
    assert ">Purge</button>" not in supervisor.get("/customers/recycle-bin").text
    assert supervisor.post(f"/customers/{cid}/purge").status_code == 403
    assert supervisor.post(f"/customers/{cid}/restore").status_code == 302
    assert "页面回收客户" in supervisor.get(f"/customers/{cid}").text
    admin_client.post(f"/customers/{cid}/delete")
    assert admin_client.post(f"/customers/{cid}/purge").status_code == 302
    assert admin_api.get("/customers/recycle-bin").get_json()["total"] == 0
    assert admin_client.post(f"/customers/{cid}/restore").status_code == 404

    def gone():
        from crm_saas.blueprints.customers.models import Customer, CustomerChange
        from crm_saas.blueprints.pipeline.models import Deal
        from crm_saas.extensions import db

        return (db.session.get(Customer, cid), db.session.get(Deal, deal),
                db.session.query(CustomerChange).filter_by(customer_id=cid).count())

    assert factory._run(tenant, gone) == (None, None, 0)
    log = admin_client.get("/audit/operations").text
    assert "Customer deleted for good" in log and "页面回收客户" in log


def test_the_bin_empties_itself_after_the_companys_days(tenant, factory, admin_api, admin_client):
    change_setting(factory, tenant, "recycle_bin_days", lambda _old: 7)
    old, fresh = (admin_api.post("/customers", json=valid_customer(name=name, contacts=[
        {"name": "张", "phone": phone}])).get_json()["id"] for name, phone in (("旧", "13800000001"),
                                                                              ("新", "13800000002")))
    for cid in (old, fresh):
        admin_api.delete(f"/customers/{cid}")

    def age():
        from crm_saas.blueprints.customers.models import Customer
        from crm_saas.extensions import db

        customer = db.session.get(Customer, old)
        customer.deleted_at -= timedelta(days=8)
        db.session.commit()

    factory._run(tenant, age)
    page = admin_client.get("/customers/recycle-bin").text
    assert "新" in page and ">旧<" not in page
    assert [c["name"] for c in admin_api.get("/customers/recycle-bin").get_json()["items"]] == ["新"]


def test_the_daily_command_purges_what_outlived_the_bin(app, servers, tenant, factory, admin_api):
    import os
    import subprocess
    import sys

    cid = admin_api.post("/customers", json=valid_customer(name="过期客户")).get_json()["id"]
    admin_api.delete(f"/customers/{cid}")

    def age():
        from crm_saas.blueprints.customers.models import Customer
        from crm_saas.extensions import db

        db.session.get(Customer, cid).deleted_at -= timedelta(days=31)
        db.session.commit()

    factory._run(tenant, age)
    env = dict(os.environ, DATABASE_URL=app.config["DATABASE_URL"], REDIS_URL=app.config["REDIS_URL"],
               SECRET_KEY="t")
    done = subprocess.run([sys.executable, "-m", "crm_saas.cli", "purge-expired"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"{tenant.slug}: 1 customer(s) purged" in done.stdout
    assert admin_api.get("/customers/recycle-bin").get_json()["total"] == 0
