"""One visibility rule, everywhere: a six-level tree with customers at every level.

For every person, what the customer list, search, the API list, both detail
views and an export show is exactly their own customers plus those of
everyone below them (admins: all); every other id is 404.
"""
import io
import re

import pytest
from openpyxl import load_workbook

from tests.api_client import ApiClient, get_token
from tests.conftest import ADMIN_PASSWORD, STAFF_PASSWORD, login

# person -> superior; depth: admin 0, s1 1, s2 2, s3 3, s4 4, r5 5.
TREE = {
    "s1": "admin", "s2": "s1", "s3": "s2", "s4": "s3", "r5": "s4",
    "r3": "s2", "r2": "s1", "t1": "admin", "tr2": "t1",
}
ROLES = {"r5": "rep", "r3": "rep", "r2": "rep", "tr2": "rep"}


def below(person):
    """``person`` and everyone under them, from TREE itself (independent of the code under test)."""
    found = {person}
    while True:
        more = {p for p, boss in TREE.items() if boss in found} - found
        if not more:
            return found
        found |= more


@pytest.fixture
def company(tenant, factory):
    """The tree, two customers per person; export granted to every role so exports can be compared."""
    ids = {"admin": factory.admin_id(tenant)}
    for person, boss in TREE.items():  # dict order puts every superior before their people
        ids[person] = factory.user(tenant, person, role=ROLES.get(person, "supervisor"), superior_id=ids[boss])
    customers = {}
    for n, person in enumerate(ids):
        for k in range(2):
            name = f"可见测试-{person}-{k}"
            customers[factory.customer(tenant, ids[person], name=name, phone=f"1391234{n:02d}{k:02d}")] = person

    def grant_export():
        from crm_saas.core.settings import set_setting
        from crm_saas.core.users import User
        from crm_saas.extensions import db

        admin = db.session.get(User, ids["admin"])
        set_setting("role_permissions", {"supervisor": ["export"], "rep": ["export"]}, actor=admin)
        db.session.commit()

    factory._run(tenant, grant_export)
    return ids, customers


def _expected(person, customers):
    owners = set(TREE) | {"admin"} if person == "admin" else below(person)
    return {cid for cid, owner in customers.items() if owner in owners}


def _ids_in(html):
    return {int(i) for i in re.findall(r'href="/customers/(\d+)"', html)}


def _export_ids(app, tenant, api, customers):
    """Run the export job for this caller and map the file's rows back to customer ids by name."""
    import crm_saas.workers.context
    from crm_saas.blueprints.exports.models import Export
    from crm_saas.core.queue import export_queue
    from crm_saas.extensions import db
    from crm_saas.tenants.binding import tenant_context
    from crm_saas.workers.exports import run_export

    export_id = api.post("/exports", json={"kind": "customers", "filters": {}}).get_json()["id"]
    previous = crm_saas.workers.context._app
    crm_saas.workers.context.set_app(app)
    try:
        run_export(tenant.schema_name, export_id)
    finally:
        crm_saas.workers.context.set_app(previous)
    with app.app_context(), tenant_context(tenant.schema_name):  # ran in-process: no worker should run it again
        export_queue().remove(db.session.get(Export, export_id).job_id)
    status = api.get(f"/exports/{export_id}").get_json()
    rows = list(load_workbook(io.BytesIO(api.get(status["download_url"]).data)).active.values)[1:]
    numbers = {row[0] for row in rows}
    return {cid for cid, number in _numbers(app, tenant).items() if number in numbers}


def _numbers(app, tenant):
    from sqlalchemy import select

    from crm_saas.blueprints.customers.models import Customer
    from crm_saas.extensions import db
    from crm_saas.tenants.binding import tenant_context

    with app.app_context(), tenant_context(tenant.schema_name):
        return dict(db.session.execute(select(Customer.id, Customer.number)).all())


@pytest.mark.parametrize("person", ["admin", "s1", "s2", "s3", "s4", "r5", "r3", "r2", "t1", "tr2"])
def test_each_person_sees_exactly_their_subtree_everywhere(app, tenant, company, client_for, person):
    ids, customers = company
    expected = _expected(person, customers)
    password = ADMIN_PASSWORD if person == "admin" else STAFF_PASSWORD
    web = client_for(tenant)
    assert login(web, person, password).status_code == 302
    api = ApiClient(client_for(tenant), get_token(client_for(tenant), person, password))

    listed = web.get("/customers/", headers={"HX-Request": "true"})
    assert _ids_in(listed.text) == expected
    assert _ids_in(web.get("/customers/?q=可见测试", headers={"HX-Request": "true"}).text) == expected
    assert _ids_in(web.get("/customers/?q=1391234", headers={"HX-Request": "true"}).text) == expected
    api_items = api.get("/customers?per_page=200").get_json()
    assert {c["id"] for c in api_items["items"]} == expected and api_items["total"] == len(expected)
    assert {c["id"] for c in api.get("/customers?q=可见测试&per_page=200").get_json()["items"]} == expected

    for cid in customers:
        want = 200 if cid in expected else 404
        assert web.get(f"/customers/{cid}").status_code == want, (person, customers[cid])
        assert api.get(f"/customers/{cid}").status_code == want, (person, customers[cid])

    # An export (the job, through the API) holds exactly the visible set.
    assert _export_ids(app, tenant, api, customers) == expected


def test_moving_a_branch_changes_visibility_at_once(tenant, company, client_for, admin_client):
    ids, customers = company
    t1 = client_for(tenant)
    login(t1, "t1", STAFF_PASSWORD)
    before = _ids_in(t1.get("/customers/", headers={"HX-Request": "true"}).text)
    assert before == _expected("t1", customers)

    # s3's branch (s3, s4, r5) moves under t1: t1 gains it, s2 loses it, on the next request.
    moved = admin_client.post(f"/staff/{ids['s3']}/move", data={"superior_id": ids["t1"]})
    assert moved.status_code in (200, 302)
    branch = {cid for cid, owner in customers.items() if owner in {"s3", "s4", "r5"}}
    assert _ids_in(t1.get("/customers/", headers={"HX-Request": "true"}).text) == before | branch
    s2 = client_for(tenant)
    login(s2, "s2", STAFF_PASSWORD)
    assert not branch & _ids_in(s2.get("/customers/", headers={"HX-Request": "true"}).text)


def test_a_cycle_is_refused_and_nothing_changes(tenant, company, admin_client, client_for):
    ids, customers = company
    refused = admin_client.post(f"/staff/{ids['s1']}/move", data={"superior_id": ids["r5"]})
    assert refused.status_code == 422
    assert "cannot report to" in refused.text
    s1 = client_for(tenant)
    login(s1, "s1", STAFF_PASSWORD)
    assert _ids_in(s1.get("/customers/", headers={"HX-Request": "true"}).text) == _expected("s1", customers)


def test_who_can_see_names_the_chain_from_owner_up(tenant, company, admin_client, client_for):
    ids, customers = company
    r5_customer = next(cid for cid, owner in customers.items() if owner == "r5")
    page = admin_client.get(f"/customers/{r5_customer}/access")
    assert page.status_code == 200
    rows = re.findall(r'data-username="([^"]+)" data-reason="([^"]+)"', page.text)
    assert rows == [("r5", "owner"), ("s4", "superior"), ("s3", "superior"), ("s2", "superior"),
                    ("s1", "superior"), ("admin", "superior")]
    assert "4 levels above the owner." in page.text
    s1 = client_for(tenant)
    login(s1, "s1", STAFF_PASSWORD)
    assert s1.get(f"/customers/{r5_customer}/access").status_code == 403  # an admin's page
