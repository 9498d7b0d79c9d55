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
        for q in (PHONE, "5678", "1234 5678", "+86 138-1234-5678", "381234"):  # any run of its digits
            assert api.get("/customers", query_string={"q": q}).get_json()["total"] == 1, q
    else:
        assert PHONE not in page and EMAIL not in page and PHONE not in listing
        assert "138****5678" in page and "z***@example.com" in page and "138****5678" in listing
        assert (contact["phone"], contact["email"]) == ("138****5678", "z***@example.com")
        assert listed["phone"] == "138****5678"
        # Searching by the number must not confirm it: neither the full number nor its masked form finds it.
        for q in (PHONE, "1381234", "138****5678", "5678", "+86 138-1234-5678"):
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
    phone, email = rows[1][13:15]  # the main contact's phone and email columns
    assert (phone, email) == (expected, EMAIL if username == "boss" else "z***@example.com")


SECRETS = (PHONE, EMAIL, "12345678", "zhangsan@")  # the number and address, and telling pieces of them


def assert_nothing_readable(body, where):
    for secret in SECRETS:
        assert secret not in body, f"{secret} leaked in {where}"


def test_every_read_path_masks_for_a_viewer_who_may_see_the_customer_but_not_its_numbers(
        tenant, client_for, api_for, admin_api, company, app):
    """Issue 11.1: the edit form showed the numbers in full; every page, fragment, API call and file must not."""
    cid = company["customer"]
    admin_api.patch(f"/customers/{cid}", json={"remarks": "一次修改", "reason": "记录"})  # a change-log entry
    client, api = web(tenant, client_for, "outsider"), api_for(tenant, "outsider")
    htmx = {"HX-Request": "true"}
    reads = {
        "detail page": client.get(f"/customers/{cid}"),
        "edit form (page)": client.get(f"/customers/{cid}/edit"),
        "edit form (htmx)": client.get(f"/customers/{cid}/edit", headers=htmx),
        "summary fragment": client.get(f"/customers/{cid}/summary", headers=htmx),
        "change log fragment": client.get(f"/customers/{cid}/changes", headers=htmx),
        "list page": client.get("/customers/"),
        "list results": client.get("/customers/", headers=htmx),
        "merge page": client.get(f"/customers/merge?keep={cid}&other={cid}"),
        "add-contact fragment": client.post(f"/customers/{cid}/edit", headers=htmx, data=edit_form(client, cid, add=True)),
        "API customer": api.get(f"/customers/{cid}"),
        "API list": api.get("/customers"),
        "API change log": api.get(f"/customers/{cid}/changes"),
    }
    for where, response in reads.items():
        assert response.status_code < 500, where
        assert_nothing_readable(response.get_data(as_text=True), where)
    assert "138****5678" in reads["edit form (page)"].text and "z***@example.com" in reads["edit form (page)"].text
    export = api.post("/exports", json={"kind": "customers", "filters": {}}).get_json()
    rows = run_export_here(app, tenant, export["id"])
    assert rows == 1
    sheet = load_workbook(io.BytesIO(api.get(f"/exports/{export['id']}/download").data)).active
    assert_nothing_readable(" ".join(str(cell.value) for row in sheet.iter_rows() for cell in row), "export")


def edit_form(client, cid, add=False):
    """What the edit form posts back, with the values it was given (masked ones included)."""
    import re

    page = client.get(f"/customers/{cid}/edit").text
    data = {}
    for tag in re.findall(r"<(?:input|select|textarea)[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="submit"' in tag or name.group(1) == "csrf_token":
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' in tag or 'type="radio"' in tag:
            if "checked" in tag:
                data[name.group(1)] = value.group(1) if value else "y"
            continue
        data.setdefault(name.group(1), value.group(1) if value else "")
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = next((tag for tag in re.findall(r"<option[^>]*>", options) if re.search(r"\bselected\b", tag)), "")
        value = re.search(r'value="([^"]*)"', chosen)
        data[name] = value.group(1) if value else ""
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        data[name] = text.strip()
    if add:
        data["contact_action"] = "add"
    return data


def test_saving_the_edit_form_with_masked_values_keeps_the_stored_ones(tenant, client_for, admin_api, company):
    cid = company["customer"]
    client = web(tenant, client_for, "outsider")
    data = edit_form(client, cid)
    assert data["contacts-0-phone"] == "138****5678" and data["contacts-0-email"] == "z***@example.com"
    data.update(remarks="备注改了", reason="补充备注")
    saved = client.post(f"/customers/{cid}/edit", data=data)
    assert saved.status_code in (200, 302), saved.text[:2000]
    contact = admin_api.get(f"/customers/{cid}").get_json()["contacts"][0]
    assert (contact["phone"], contact["email"]) == (PHONE, EMAIL)
    changes = admin_api.get(f"/customers/{cid}/changes").get_json()["items"]
    assert {c["field"] for c in changes if c["action"] == "updated"} == {"remarks"}


def test_an_api_patch_sending_back_masked_contacts_keeps_the_stored_ones(tenant, api_for, admin_api, company):
    cid = company["customer"]
    outsider = api_for(tenant, "outsider")
    read = outsider.get(f"/customers/{cid}").get_json()
    assert read["contacts"][0]["phone"] == "138****5678"
    contacts = [{**read["contacts"][0], "title": "经理"}]
    patched = outsider.patch(f"/customers/{cid}", json={"contacts": contacts})
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["contacts"][0]["phone"] == "138****5678"  # still masked on the way out
    stored = admin_api.get(f"/customers/{cid}").get_json()["contacts"][0]
    assert (stored["phone"], stored["email"], stored["title"]) == (PHONE, EMAIL, "经理")


def test_a_number_is_found_however_it_was_typed_and_by_its_last_four(tenant, factory, admin_api):
    """Stored as typed (010-8888 6666), found by the digits in any form: the whole, the last four, the
    area code with a space; a run too short (2 digits) or with letters is a name search, not a phone one."""
    landline = factory.customer(tenant, factory.admin_id(tenant), name="北京座机客户", phone="010-8888 6666")
    factory.customer(tenant, factory.admin_id(tenant), name="别的客户", phone="13900000000")

    def found(q):
        return [c["id"] for c in admin_api.get("/customers", query_string={"q": q}).get_json()["items"]]

    for q in ("01088886666", "010 8888 6666", "6666", "8888 66", "(010)8888-6666"):
        assert found(q) == [landline], q
    assert found("66") == [] and found("A6666") == []


def test_one_or_two_characters_find_names_through_their_own_index(app, tenant, factory, admin_api):
    """Issue 13: a trigram index cannot serve 华为 or 张三 (two characters): they read every customer and contact.
    Names are now also indexed by their letters and letter pairs, and the plan uses that index."""
    from sqlalchemy import text, update

    from crm_saas.blueprints.customers.models import Contact
    from crm_saas.extensions import db
    from crm_saas.tenants.binding import tenant_context

    admin = factory.admin_id(tenant)
    huawei = factory.customer(tenant, admin, name="华为技术有限公司", phone="13900000001")
    zhang = factory.customer(tenant, admin, name="星河贸易", phone="13900000002")
    huarun = factory.customer(tenant, admin, name="华润万家", phone="13900000003")

    def rename_contact():
        db.session.execute(update(Contact).where(Contact.customer_id == zhang).values(name="张三"))
        db.session.commit()

    factory._run(tenant, rename_contact)

    def found(q):
        return sorted(c["id"] for c in admin_api.get("/customers", query_string={"q": q}).get_json()["items"])

    assert found("华为") == [huawei] and found("为技") == [huawei] and found("张三") == [zhang]
    assert found("华") == sorted([huawei, huarun]) and found("Xy") == []
    with app.app_context(), tenant_context(tenant.schema_name):
        db.session.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: ask whether the index can serve
        plan = "\n".join(row[0] for row in db.session.execute(text(
            f"EXPLAIN SELECT id FROM {tenant.schema_name}.customers "
            "WHERE public.crm_grams(name) @> ARRAY['华为']::text[]")))
        db.session.rollback()
    assert "ix_customers_name_grams" in plan
