"""Customers on the web: add with every field, find, detail under visibility, inline edit with a reason."""
import re

from tests.conftest import STAFF_PASSWORD, customer_form, login


def customer_count(factory, tenant):
    from sqlalchemy import func, select

    from crm_saas.blueprints.customers.models import Customer
    from crm_saas.extensions import db

    return factory._run(tenant, lambda: db.session.scalar(select(func.count()).select_from(Customer)))


def test_the_add_page_offers_every_field(admin_client):
    page = admin_client.get("/customers/new").text
    for name in ("name", "industry", "industry_note", "type", "source", "category", "size", "province", "city",
                 "district", "address", "new_tags", "remarks", "needs", "goals", "past_dealings", "owner_id",
                 "contacts-0-name", "contacts-0-phone", "contacts-0-email", "contacts-0-wechat", "contacts-0-title",
                 "contacts-0-role"):
        assert f'name="{name}"' in page, name
    assert "上海市" in page  # the provinces of the national division list
    # The main contact's phone is required (C3), and its label says so like every other required field.
    assert re.search(r'<label for="contacts-0-phone"[^>]*>[^<]*<span class="required"', page)
    two = admin_client.post("/customers/new", data=customer_form(contact_action="add"))
    assert re.search(r'<label for="contacts-0-phone"[^>]*>[^<]*<span class="required"', two.text)
    assert not re.search(r'<label for="contacts-1-phone"[^>]*>[^<]*<span class="required"', two.text)  # only the main one's


def test_add_customer_with_everything_then_find_it_every_way(tenant, admin_client):
    saved = admin_client.post("/customers/new", data=customer_form(
        contacts=[{"name": "王芳", "phone": "010-88886666", "title": "采购经理", "email": "wf@example.com",
                   "wechat": "wangfang88", "role": "decision_maker"},
                  {"name": "李雷", "phone": "13911112222", "role": "user"}],
        province="北京市", city="北京市", district="朝阳区", address="建国路 88 号", size="21-100",
        new_tags="重点客户, 华北", needs="降低库存", goals="年采购 500 万", past_dealings="2025 年试单"))
    assert saved.status_code == 302, saved.text
    detail = admin_client.get(saved.location).text
    number = re.search(r"CRM\d{8}\d{4}", detail).group(0)
    for text in ("北京远航贸易有限公司", "王芳", "采购经理", "wf@example.com", "wangfang88", "李雷", "朝阳区",
                 "建国路 88 号", "重点客户", "华北", "降低库存", "年采购 500 万", "2025 年试单", "21-100 staff",
                 "Decision maker"):
        assert text in detail, text
    for q in (number, "远航贸易", "王芳", "李雷", "010-8888", "1391111"):
        results = admin_client.get("/customers/", query_string={"q": q}, headers={"HX-Request": "true"}).text
        assert "北京远航贸易有限公司" in results, q
    none = admin_client.get("/customers/", query_string={"q": "不存在的公司"}, headers={"HX-Request": "true"})
    assert "北京远航贸易有限公司" not in none.text


def test_contact_rows_are_added_and_removed_by_the_server_without_saving(tenant, admin_client, factory):
    two = admin_client.post("/customers/new", data=customer_form(contact_action="add"))
    assert two.status_code == 200 and 'name="contacts-1-name"' in two.text
    one = admin_client.post("/customers/new", data=customer_form(
        contacts=[{"name": "甲", "phone": "13800000001"}, {"name": "乙", "phone": "13800000002"}],
        primary=1, contact_action="remove-0"))
    assert 'value="乙"' in one.text and 'value="甲"' not in one.text and 'name="contacts-1-name"' not in one.text
    assert re.search(r'name="primary" value="0"\s+checked', one.text)  # the main contact moved up with its row
    assert customer_count(factory, tenant) == 0


def test_numbers_are_daily_serials(tenant, admin_client):
    numbers = []
    for i in range(3):
        location = admin_client.post("/customers/new", data=customer_form(name=f"公司{i}",
                                     contacts=[{"name": "王", "phone": f"1380000000{i}"}])).location
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
    assert client.get(f"/customers/{theirs}/edit").status_code == 404
    assert client.post(f"/customers/{theirs}/edit", data=customer_form()).status_code == 404
    listing = client.get("/customers/", headers={"HX-Request": "true"}).text
    assert "Rep&#39;s customer" in listing and "Peer&#39;s customer" not in listing
    supervisor = client_for(tenant)
    login(supervisor, "boss", STAFF_PASSWORD)
    assert supervisor.get(f"/customers/{mine}").status_code == 200  # a subordinate's
    assert supervisor.get(f"/customers/{theirs}").status_code == 404


def test_inline_edit_saves_with_a_reason_and_the_log_shows_it(tenant, admin_client, factory):
    customer = factory.customer(tenant, factory.admin_id(tenant), name="旧名称有限公司")
    form = admin_client.get(f"/customers/{customer}/edit", headers={"HX-Request": "true"})
    assert form.status_code == 200 and 'id="customer-summary"' in form.text and "<html" not in form.text
    assert 'value="旧名称有限公司"' in form.text
    contact_id = re.search(r'name="contacts-0-id"[^>]*value="(\d+)"', form.text).group(1)
    saved = admin_client.post(f"/customers/{customer}/edit", headers={"HX-Request": "true"}, data=customer_form(
        name="新名称有限公司", industry="finance", source="outbound", reason="工商变更",
        contacts=[{"id": contact_id, "name": "联系人", "phone": "13800138999"}]))
    assert saved.status_code == 200, saved.text
    assert 'id="customer-summary"' in saved.text and 'hx-swap-oob="true"' in saved.text  # the log refreshed too
    assert "新名称有限公司" in saved.text and "工商变更" in saved.text and "13800138999" in saved.text
    log = admin_client.get(f"/customers/{customer}/changes", headers={"HX-Request": "true"}).text
    for field in ("name", "industry", "source", "contact.phone"):
        assert f'data-field="{field}"' in log, field
    assert "旧名称有限公司" in log and "13800138000" in log


def test_filters_live_in_the_url_and_the_page_shows_them(tenant, admin_client):
    for i, (name, industry) in enumerate((("金融客户", "finance"), ("零售客户", "retail"), ("科技客户", "it"))):
        saved = admin_client.post("/customers/new", data=customer_form(
            name=name, industry=industry, province="广东省", city="深圳市" if i else "广州市",
            contacts=[{"name": "联系人", "phone": f"1380000000{i}"}]))
        assert saved.status_code == 302, saved.text
    url = "/customers/?industry=retail&province=广东省&city=深圳市&sort=name"
    page = admin_client.get(url).text
    assert "零售客户" in page and "金融客户" not in page and "科技客户" not in page
    assert '<option value="retail" selected>' in page and '<option value="深圳市" selected>' in page
    assert '<option value="name" selected>' in page  # a bookmarked URL shows its own filters
    partial = admin_client.get(url, headers={"HX-Request": "true"}).text
    assert partial.strip().startswith('<section id="customer-results">') and "零售客户" in partial
    many = admin_client.get("/customers/?province=广东省", headers={"HX-Request": "true"}).text
    assert "3 customers" in many


def test_each_person_chooses_the_list_columns(tenant, factory, admin_client):
    factory.customer(tenant, factory.admin_id(tenant), name="列客户")
    before = admin_client.get("/customers/", headers={"HX-Request": "true"}).text
    assert "<th>Region</th>" not in before and "<th>Main contact</th>" in before
    chosen = admin_client.post("/customers/columns", data={"columns": ["region", "tags", "updated_at"]})
    assert "<th>Region</th>" in chosen.text and "<th>Main contact</th>" not in chosen.text
    again = admin_client.get("/customers/").text
    assert "<th>Region</th>" in again
    assert all(re.search(rf'<th[^>]*><a class="sort-head" [^>]*>{label}</a></th>', again)  # sortable heads
               for label in ("Last updated", "Customer number"))


def test_the_list_sorts_by_its_heads_chooses_its_page_size_and_says_what_to_do_when_empty(tenant, factory,
                                                                                         admin_client):
    """Issue 13.2: a click on a column head sorts (again: the other way), 25/50/100 a page, and an empty list
    says what to do next."""
    empty = admin_client.get("/customers/").text
    assert "No customers yet." in empty and 'href="/customers/new"' in empty
    admin = factory.admin_id(tenant)
    for i, name in enumerate(("乙公司", "甲公司", "丙公司")):
        factory.customer(tenant, admin, name=name, phone=f"1380000000{i}")
    page = admin_client.get("/customers/").text
    head = re.search(r'<th[^>]*><a class="sort-head" href="([^"]+)">Customer name</a></th>', page)
    assert head and "sort=name" in head.group(1).replace("&amp;", "&")
    by_name = admin_client.get(head.group(1).replace("&amp;", "&")).text
    assert by_name.index("丙公司") < by_name.index("乙公司") < by_name.index("甲公司")  # code point order, as sorted
    assert re.search(r'aria-sort="ascending"><a class="sort-head" href="[^"]*sort=-name', by_name)
    assert 'aria-sort="descending"' in admin_client.get("/customers/?sort=-name").text
    assert "<strong aria-current=\"true\">50</strong>" in page and "per_page=25" in page
    small = admin_client.get("/customers/?per_page=25").text
    assert '<strong aria-current="true">25</strong>' in small and 'name="per_page" value="25"' in small
    none = admin_client.get("/customers/?q=不存在的").text
    assert "No customers match these filters." in none and 'href="/customers/"' in none
