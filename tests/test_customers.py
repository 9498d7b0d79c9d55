"""Customers: add with validation per field, number format, search, detail under visibility."""
import re

from tests.conftest import STAFF_PASSWORD, login

GOOD = {"name": "北京远航贸易有限公司", "industry": "retail", "industry_note": "", "type": "potential",
        "source": "exhibition", "contact_name": "王芳", "contact_phone": "010-88886666", "remarks": ""}


def customer_count(factory, tenant):
    from sqlalchemy import func, select

    from crm_saas.blueprints.customers.models import Customer
    from crm_saas.extensions import db

    return factory._run(tenant, lambda: db.session.scalar(select(func.count()).select_from(Customer)))


def test_add_customer_then_find_it_every_way(tenant, admin_client):
    saved = admin_client.post("/customers/new", data=GOOD)
    assert saved.status_code == 302
    detail = admin_client.get(saved.location).text
    number = re.search(r"CRM\d{8}\d{4}", detail).group(0)
    assert "北京远航贸易有限公司" in detail and "王芳" in detail
    for q in (number, "远航贸易", "王芳", "010-8888"):
        results = admin_client.get("/customers/", query_string={"q": q}, headers={"HX-Request": "true"}).text
        assert "北京远航贸易有限公司" in results, q
    none = admin_client.get("/customers/", query_string={"q": "不存在的公司"}, headers={"HX-Request": "true"})
    assert "北京远航贸易有限公司" not in none.text


def test_each_bad_field_is_named_and_nothing_is_saved(tenant, admin_client, factory):
    bad = dict(GOOD, name="", industry="other", industry_note="", source="", contact_phone="12345")
    response = admin_client.post("/customers/new", data=bad, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    for message in ("Customer name is required.", "Describe the industry when choosing Other.",
                    "Source is required.", "Enter an 11-digit mobile number or a landline with area code."):
        assert message in response.text
    assert customer_count(factory, tenant) == 0


def test_numbers_are_daily_serials(tenant, admin_client):
    numbers = []
    for i in range(3):
        location = admin_client.post("/customers/new", data=dict(GOOD, name=f"公司{i}")).location
        numbers.append(re.search(r"CRM\d{12}", admin_client.get(location).text).group(0))
    serials = [int(n[-4:]) for n in numbers]
    assert serials == [serials[0], serials[0] + 1, serials[0] + 2] and len({n[:11] for n in numbers}) == 1


def test_a_rep_sees_only_their_own_customers(tenant, client_for, factory):
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    rep = factory.user(tenant, "rep", superior_id=boss)
    peer = factory.user(tenant, "peer", superior_id=admin)
    mine = factory.customer(tenant, rep, name="Rep's customer")
    theirs = factory.customer(tenant, peer, name="Peer's customer")
    client = client_for(tenant)
    login(client, "rep", STAFF_PASSWORD)
    assert client.get(f"/customers/{mine}").status_code == 200
    assert client.get(f"/customers/{theirs}").status_code == 404
    listing = client.get("/customers/", headers={"HX-Request": "true"}).text
    assert "Rep&#39;s customer" in listing and "Peer" not in listing
    supervisor = client_for(tenant)
    login(supervisor, "boss", STAFF_PASSWORD)
    assert supervisor.get(f"/customers/{mine}").status_code == 200  # a subordinate's
    assert supervisor.get(f"/customers/{theirs}").status_code == 404
