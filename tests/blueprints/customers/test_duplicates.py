"""C10: warn on entry, 409 on request, find likely duplicates, and merge two customers keeping everything."""
import re

from tests.api_client import valid_customer
from tests.conftest import customer_form


def test_the_form_warns_and_lists_the_matches_before_saving(tenant, factory, admin_client, client_for, admin_api):
    from tests.conftest import STAFF_PASSWORD, login

    admin = factory.admin_id(tenant)
    factory.user(tenant, "rep", superior_id=admin)
    existing = factory.customer(tenant, admin, name="上海远航（集团）有限公司", phone="021-6666 8888")
    data = customer_form(name="上海远航(集团)有限公司 ", contacts=[{"name": "新人", "phone": "13900000000"}])
    warned = admin_client.post("/customers/new", data=data)
    assert warned.status_code == 200 and "Possible duplicates" in warned.text
    assert f"/customers/{existing}" in warned.text and "Save anyway" in warned.text
    assert admin_api.get("/customers").get_json()["total"] == 1  # nothing saved yet
    assert 'name="confirm_duplicates" type="hidden" value="1"' in warned.text
    saved = admin_client.post("/customers/new", data={**data, "confirm_duplicates": "1"})
    assert saved.status_code == 302 and admin_api.get("/customers").get_json()["total"] == 2

    rep = client_for(tenant)
    login(rep, "rep", STAFF_PASSWORD)
    by_phone = rep.post("/customers/new", data=customer_form(name="完全不同的名字",
                                                             contacts=[{"name": "x", "phone": "02166668888"}]))
    assert "1 more customer that you cannot see matches." in by_phone.text
    assert "上海远航" not in by_phone.text  # the rep learns it exists, not whose it is


def test_strict_duplicate_checking_answers_409_with_the_ids(tenant, factory, admin_api):
    first = admin_api.post("/customers", json=valid_customer(name="杭州 ABC 公司")).get_json()["id"]
    twin = valid_customer(name="杭州abc公司", contacts=[{"name": "x", "phone": "13700000000"}])
    conflict = admin_api.post("/customers?duplicates=strict", json=twin)
    assert conflict.status_code == 409
    assert conflict.get_json()["duplicates"] == [first] and conflict.get_json()["hidden_duplicates"] == 0
    by_phone = admin_api.post("/customers?duplicates=strict", json=valid_customer(name="别名",
                              contacts=[{"name": "y", "phone": "+86 138 0013 8000"}]))
    assert by_phone.status_code == 409 and by_phone.get_json()["duplicates"] == [first]
    assert admin_api.post("/customers", json=twin).status_code == 201  # warn is the default: saved
    assert admin_api.get("/customers").get_json()["total"] == 2


def test_the_duplicates_page_groups_by_name_and_phone(tenant, factory, admin_client):
    admin = factory.admin_id(tenant)
    a = factory.customer(tenant, admin, name="重复 公司", phone="13800000001")
    b = factory.customer(tenant, admin, name="重复公司", phone="13800000002")
    c = factory.customer(tenant, admin, name="另一家", phone="138 0000 0002")
    factory.customer(tenant, admin, name="独一家", phone="13800000009")
    page = admin_client.get("/customers/duplicates").text
    assert page.count('class="duplicate-group"') == 2 and "独一家" not in page
    assert f"/customers/merge?keep={a}&amp;other={b}" in page and f"/customers/merge?keep={b}&amp;other={c}" in page


def test_merge_keeps_every_contact_deal_file_and_log_entry(tenant, factory, admin_client, admin_api):
    admin = factory.admin_id(tenant)
    keep = admin_api.post("/customers", json=valid_customer(name="合并甲", tags=["甲"])).get_json()
    other = admin_api.post("/customers", json=valid_customer(
        name="合并乙", tags=["乙"], address="乙的地址", remarks="乙的备注",
        contacts=[{"name": "乙联系人", "phone": "13900000000", "primary": True}, {"name": "乙二", "phone": "13900000001",
                                                             "primary": False}])).get_json()
    admin_api.patch(f"/customers/{other['id']}", json={"remarks": "乙的新备注", "reason": "合并前的修改"})
    deal = factory.deal(tenant, other["id"], admin, name="乙的商机")
    upload = admin_client.post(f"/customers/{other['id']}/files",
                               data={"file": (__import__("io").BytesIO(b"%PDF-1.4 test"), "乙.pdf")},
                               content_type="multipart/form-data")
    assert upload.status_code in (200, 302)
    page = admin_client.get(f"/customers/merge?keep={keep['id']}&other={other['id']}")
    assert page.status_code == 200 and "乙的地址" in page.text
    merged = admin_client.post(f"/customers/merge?keep={keep['id']}&other={other['id']}",
                               data={"remarks": "other", "reason": "同一家公司"})
    assert merged.status_code == 302
    assert admin_api.get(f"/customers/{other['id']}").status_code == 404
    body = admin_api.get(f"/customers/{keep['id']}").get_json()
    assert [c["name"] for c in body["contacts"]] == ["张三", "乙联系人", "乙二"]
    assert [c["primary"] for c in body["contacts"]] == [True, False, False]
    assert (body["remarks"], body["address"], body["tags"]) == ("乙的新备注", "乙的地址", ["甲", "乙"])
    files = admin_api.get(f"/customers/{keep['id']}/files").get_json()["items"]
    assert [f["file_name"] for f in files] == ["乙.pdf"]
    log = admin_api.get(f"/customers/{keep['id']}/changes?per_page=200").get_json()["items"]
    assert ("updated", "remarks", "乙的备注", "乙的新备注", "合并前的修改") in [
        (c["action"], c["field"], c["old"], c["new"], c["reason"]) for c in log]  # the other's history moved over
    merge = [c for c in log if c["field"] == "merged_from"][0]
    assert merge["old"]["number"] == other["number"] and merge["reason"] == "同一家公司"
    assert [c["action"] for c in log].count("created") == 2

    def deal_customer():
        from crm_saas.blueprints.pipeline.models import Deal
        from crm_saas.extensions import db

        return db.session.get(Deal, deal).customer_id

    assert factory._run(tenant, deal_customer) == keep["id"]
    detail = admin_client.get(f"/customers/{keep['id']}").text
    assert "乙的商机" in detail and re.search(r"Merged in.*合并乙", detail, re.S)


def test_merging_needs_both_visible_and_the_right_to_delete(tenant, factory, client_for):
    from tests.conftest import STAFF_PASSWORD, login

    admin = factory.admin_id(tenant)
    rep = factory.user(tenant, "rep", superior_id=admin)
    mine_a, mine_b = factory.customer(tenant, rep, name="A"), factory.customer(tenant, rep, name="A ")
    hidden = factory.customer(tenant, admin, name="A")
    client = client_for(tenant)
    login(client, "rep", STAFF_PASSWORD)
    assert client.get(f"/customers/merge?keep={mine_a}&other={hidden}").status_code == 404
    refused = client.post(f"/customers/merge?keep={mine_a}&other={mine_b}")
    assert refused.status_code == 422 and "needs the right to delete customers" in refused.text
    assert client.get(f"/customers/{mine_b}").status_code == 200


def test_the_merge_page_reads_labels_not_codes(tenant, admin_client, admin_api):
    keep = admin_api.post("/customers", json=valid_customer(name="标签甲", industry="it", source="online_inquiry"))
    other = admin_api.post("/customers", json=valid_customer(name="标签乙", industry="finance", source="referral",
                                                              contacts=[{"name": "乙", "phone": "13900000077"}]))
    page = admin_client.get(f"/customers/merge?keep={keep.get_json()['id']}&other={other.get_json()['id']}").text
    cells = re.findall(r'<input [^>]*type="radio" name="(\w+)" value="(?:keep|other)"[^>]*> ([^<]*)</label>', page)
    shown = {(field, text.strip()) for field, text in cells}
    assert {("industry", "IT / Internet"), ("industry", "Finance"), ("source", "Online inquiry"),
            ("source", "Referral")} <= shown
    assert not {text for _, text in shown} & {"it", "finance", "online_inquiry", "referral"}
