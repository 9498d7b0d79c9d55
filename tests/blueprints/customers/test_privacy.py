"""C12: a contact's phone and email in full for the owner and those above them; masked for everyone else who may
see the customer, in pages, the API, exports, the change log and search."""
import io

import pytest
from openpyxl import load_workbook

from tests.api_client import change_setting, run_export_here
from tests.conftest import STAFF_PASSWORD, login

PHONE, EMAIL = "13812345678", "zhangsan@example.com"


@pytest.fixture
def company(tenant, factory):
    """admin > boss > rep (the owner); admin > outsider, a supervisor of another branch who may see all."""
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    rep = factory.user(tenant, "rep", superior_id=boss)
    factory.user(tenant, "outsider", role="rep", superior_id=admin)
    change_setting(factory, tenant, "role_permissions", lambda m: {**m, "rep": ["see_all", "export"]})
    customer = factory.customer(tenant, rep, name="隐私客户有限公司", phone=PHONE)

    def set_email():
        from crm_saas.blueprints.customers.models import Contact
        from crm_saas.extensions import db

        db.session.get(Contact, customer).email = EMAIL  # the first contact's id equals the customer's here
        db.session.commit()

    factory._run(tenant, set_email)
    return {"customer": customer, "rep": rep}


def web(tenant, client_for, username):
    client = client_for(tenant)
    assert login(client, username, STAFF_PASSWORD if username != "admin" else "Admin#2026").status_code == 302
    return client


@pytest.mark.parametrize("username,full", [("rep", True), ("boss", True), ("admin", True), ("outsider", False)])
def test_page_api_and_search(tenant, client_for, api_for, company, username, full):
    cid = company["customer"]
    page = web(tenant, client_for, username).get(f"/customers/{cid}").text
    listing = web(tenant, client_for, username).get("/customers/", headers={"HX-Request": "true"}).text
    api = api_for(tenant, username)
    contact = api.get(f"/customers/{cid}").get_json()["contacts"][0]
    listed = api.get("/customers").get_json()["items"][0]["contacts"][0]
    if full:
        assert PHONE in page and EMAIL in page and PHONE in listing
        assert (contact["phone"], contact["email"]) == (PHONE, EMAIL) and listed["phone"] == PHONE
        assert api.get(f"/customers?q={PHONE}").get_json()["total"] == 1
    else:
        assert PHONE not in page and EMAIL not in page and PHONE not in listing
        assert "138****5678" in page and "z***@example.com" in page and "138****5678" in listing
        assert (contact["phone"], contact["email"]) == ("138****5678", "z***@example.com")
        assert listed["phone"] == "138****5678"
        # Searching by the number must not confirm it: neither the full number nor its masked form finds it.
        for q in (PHONE, "1381234", "138****5678"):
            assert api.get(f"/customers?q={q}").get_json()["total"] == 0, q
        assert api.get("/customers?q=隐私客户").get_json()["total"] == 1  # the customer itself is visible


def test_the_change_log_masks_old_and_new_numbers(tenant, api_for, admin_api, company):
    cid = company["customer"]
    contact = admin_api.get(f"/customers/{cid}").get_json()["contacts"][0]
    admin_api.patch(f"/customers/{cid}", json={"contacts": [{**contact, "phone": "13987654321"}]})
    seen = {u: [c for c in api_for(tenant, u).get(f"/customers/{cid}/changes").get_json()["items"]
                if c["field"] == "contact.phone"][0] for u in ("boss", "outsider")}
    assert (seen["boss"]["old"], seen["boss"]["new"]) == (PHONE, "13987654321")
    assert (seen["outsider"]["old"], seen["outsider"]["new"]) == ("138****5678", "139****4321")


@pytest.mark.parametrize("username,expected", [("boss", PHONE), ("outsider", "138****5678")])
def test_exports_mask_like_the_pages(app, tenant, api_for, company, username, expected):
    api = api_for(tenant, username)
    export_id = api.post("/exports", json={"kind": "customers", "filters": {}}).get_json()["id"]
    assert run_export_here(app, tenant, export_id) == 1
    rows = list(load_workbook(io.BytesIO(api.get(f"/exports/{export_id}/download").data)).active.values)
    phone, email = rows[1][12:14]  # the main contact's phone and email columns
    assert (phone, email) == (expected, EMAIL if username == "boss" else "z***@example.com")
