"""G1 attribution on entry: a customer carries the campaign it came from (form and API), an unknown campaign is
refused by name, every change is logged, and a new deal takes its customer's campaign unless it names one."""
import re

import pytest

from tests.api_client import valid_customer
from tests.blueprints.customers.campaign_helpers import make_campaign
from tests.conftest import STAFF_PASSWORD, customer_form, login


@pytest.fixture
def campaigns(tenant, factory):
    return {"fair": make_campaign(factory, tenant, "2026 春季展会", cost="5000"),
            "mail": make_campaign(factory, tenant, "邮件推广 3 月"),
            "old": make_campaign(factory, tenant, "已取消的活动", status="cancelled")}


def _deal_changes(factory, tenant, deal_id):
    from sqlalchemy import select

    from crm_saas.blueprints.pipeline.models import DealChange
    from crm_saas.extensions import db

    return factory._run(tenant, lambda: [(c.field, c.old, c.new) for c in db.session.scalars(
        select(DealChange).where(DealChange.deal_id == deal_id, DealChange.action == "updated"))])


def test_the_form_offers_campaigns_and_saves_the_chosen_one(tenant, admin_client, admin_api, campaigns):
    page = admin_client.get("/customers/new").text
    assert "2026 春季展会" in page and "邮件推广 3 月" in page
    assert "已取消的活动" not in page  # a cancelled campaign brought nobody
    saved = admin_client.post("/customers/new", data=customer_form(source="campaign",
                                                                    campaign_id=str(campaigns["fair"])))
    assert saved.status_code == 302, saved.text
    customer_id = int(saved.location.rstrip("/").rsplit("/", 1)[1])
    assert admin_api.get(f"/customers/{customer_id}").get_json()["campaign_id"] == campaigns["fair"]
    summary = admin_client.get(saved.location).text
    assert re.search(rf'<a href="/campaigns/{campaigns["fair"]}">2026 春季展会</a>', summary)


def test_an_unknown_campaign_on_the_form_saves_nothing(tenant, admin_client, admin_api, campaigns):
    refused = admin_client.post("/customers/new", data=customer_form(name="未知活动客户", campaign_id="999999"))
    assert refused.status_code == 422
    assert re.search(r'id="campaign_id-error"[^>]*>Choose a campaign from the list.', refused.text)
    assert admin_api.get("/customers", query_string={"q": "未知活动客户"}).get_json()["total"] == 0


def test_the_api_reads_and_writes_the_campaign_and_logs_each_change(tenant, admin_api, admin_client, campaigns):
    created = admin_api.post("/customers", json=valid_customer(source="exhibition", campaign_id=campaigns["fair"]))
    assert created.status_code == 201, created.get_json()
    customer_id = created.get_json()["id"]
    assert created.get_json()["campaign_id"] == campaigns["fair"]  # any source may carry a campaign

    moved = admin_api.patch(f"/customers/{customer_id}", json={"campaign_id": campaigns["mail"], "reason": "改归因"})
    assert moved.status_code == 200 and moved.get_json()["campaign_id"] == campaigns["mail"]
    cleared = admin_api.patch(f"/customers/{customer_id}", json={"campaign_id": None})
    assert cleared.get_json()["campaign_id"] is None
    log = admin_api.get(f"/customers/{customer_id}/changes").get_json()["items"]
    assert [(c["field"], c["old"], c["new"]) for c in log if c["action"] == "updated"] == [
        ("campaign_id", campaigns["mail"], None), ("campaign_id", campaigns["fair"], campaigns["mail"])]
    page = admin_client.get(f"/customers/{customer_id}").text
    rows = re.findall(r'<tr data-field="campaign_id" data-action="updated">(.*?)</tr>', page, re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[4:7] for row in rows]
    assert cells == [["邮件推广 3 月", "", ""], ["2026 春季展会", "邮件推广 3 月", "改归因"]]  # names, not ids


@pytest.mark.parametrize("value", [999999, "abc"])
def test_a_bad_campaign_is_a_422_naming_campaign_id(tenant, admin_api, campaigns, value):
    refused = admin_api.post("/customers", json=valid_customer(name="坏活动客户", campaign_id=value))
    assert refused.status_code == 422
    assert list(refused.get_json()["errors"]) == ["campaign_id"]
    customer_id = admin_api.post("/customers", json=valid_customer()).get_json()["id"]
    patched = admin_api.patch(f"/customers/{customer_id}", json={"campaign_id": value})
    assert patched.status_code == 422 and list(patched.get_json()["errors"]) == ["campaign_id"]
    assert admin_api.get(f"/customers/{customer_id}").get_json()["campaign_id"] is None


def test_a_new_deal_takes_its_customers_campaign_unless_it_names_one(tenant, factory, admin_api, admin_client,
                                                                      campaigns):
    customer_id = admin_api.post("/customers", json=valid_customer(campaign_id=campaigns["fair"])).get_json()["id"]
    inherited = admin_api.post("/deals", json={"name": "继承活动", "customer_id": customer_id})
    assert inherited.status_code == 201 and inherited.get_json()["campaign_id"] == campaigns["fair"]
    named = admin_api.post("/deals", json={"name": "另有活动", "customer_id": customer_id,
                                           "campaign_id": campaigns["mail"]})
    assert named.get_json()["campaign_id"] == campaigns["mail"]
    bad = admin_api.post("/deals", json={"name": "坏活动", "customer_id": customer_id, "campaign_id": 999999})
    assert bad.status_code == 422 and list(bad.get_json()["errors"]) == ["campaign_id"]

    page = admin_client.get(f"/customers/{customer_id}").text  # the quick form on the customer page
    assert "Campaign: 2026 春季展会, as the customer." in page
    admin_client.post(f"/customers/{customer_id}/deals", data={"name": "页面商机", "campaign_id": ""})
    deals = {d["name"]: d for d in admin_api.get("/deals", query_string={"customer_id": customer_id})
             .get_json()["items"]}
    assert deals["页面商机"]["campaign_id"] == campaigns["fair"]

    deal_id = inherited.get_json()["id"]
    assert admin_api.patch(f"/deals/{deal_id}", json={"campaign_id": campaigns["mail"]}).status_code == 200
    assert admin_api.patch(f"/deals/{deal_id}", json={"campaign_id": None}).get_json()["campaign_id"] is None
    assert _deal_changes(factory, tenant, deal_id) == [  # by name, as the deal log keeps owners
        ("campaign_id", "2026 春季展会", "邮件推广 3 月"), ("campaign_id", "邮件推广 3 月", None)]
    detail = admin_client.get(f"/deals/{named.get_json()['id']}").text
    assert "邮件推广 3 月" in detail


def test_the_deal_form_offers_the_customers_campaign_first(tenant, factory, admin_client, admin_api, campaigns):
    customer_id = admin_api.post("/customers", json=valid_customer(campaign_id=campaigns["mail"])).get_json()["id"]
    form = admin_client.get(f"/deals/new?customer_id={customer_id}").text
    assert re.search(rf'<option selected value="{campaigns["mail"]}">邮件推广 3 月</option>', form)
    saved = admin_client.post("/deals/new", data={"name": "表单商机", "customer_id": str(customer_id),
                                                  "campaign_id": str(campaigns["fair"]), "products-0-quantity": "1"})
    assert saved.status_code == 302, saved.text
    deal = next(d for d in admin_api.get("/deals", query_string={"customer_id": customer_id}).get_json()["items"]
                if d["name"] == "表单商机")
    assert deal["campaign_id"] == campaigns["fair"]


def test_without_the_campaigns_module_the_name_shows_without_a_link(tenant, factory, client_for, campaigns):
    """A custom role with customers but not campaigns reads where a customer came from, and cannot follow it."""
    from crm_saas.core.roles import Role
    from crm_saas.extensions import db

    def add_role():
        db.session.add(Role(key="sales_only", name="只管客户", rights=["customers"], built_in=False))
        db.session.commit()

    factory._run(tenant, add_role)
    clerk = factory.user(tenant, "clerk", role="sales_only")
    customer_id = factory.customer(tenant, clerk, name="职员的客户")

    def attribute():
        from crm_saas.blueprints.customers.models import Customer

        db.session.get(Customer, customer_id).campaign_id = campaigns["fair"]
        db.session.commit()

    factory._run(tenant, attribute)
    client = client_for(tenant)
    assert login(client, "clerk", STAFF_PASSWORD).status_code == 302
    page = client.get(f"/customers/{customer_id}").text
    assert re.search(r'data-field="campaign">2026 春季展会</dd>', page)
    assert f"/campaigns/{campaigns['fair']}" not in page


def test_the_customer_and_deal_exports_name_the_campaign(app, tenant, admin_api, campaigns):
    import io

    from openpyxl import load_workbook

    from tests.api_client import run_export_here

    customer_id = admin_api.post("/customers", json=valid_customer(campaign_id=campaigns["fair"])).get_json()["id"]
    admin_api.post("/deals", json={"name": "导出商机", "customer_id": customer_id})
    for kind, title in (("customers", "上海测试科技有限公司"), ("deals", "导出商机")):
        body = admin_api.post("/exports", json={"kind": kind}).get_json()
        run_export_here(app, tenant, body["id"])
        url = admin_api.get(f"/exports/{body['id']}").get_json()["download_url"]
        rows = list(load_workbook(io.BytesIO(admin_api.get(url).data)).active.values)
        column = rows[0].index("市场活动")  # the file speaks the admin's language, the company's Chinese
        assert [row[column] for row in rows[1:] if title in row] == ["2026 春季展会"], kind
