"""The top bar's search (issue 13.6): customers, contacts and deals grouped, by name, number or any run of a
phone's digits, under the visibility rule and the masking rule."""
import re

import pytest

from tests.api_client import change_setting
from tests.conftest import STAFF_PASSWORD, login

HX = {"HX-Request": "true"}


def groups(html):
    """``{group: [link text, ...]}`` of a results fragment."""
    return {name: re.findall(r"<a href=\"[^\"]+\">([^<]+)</a>", body)
            for name, body in re.findall(r'<ul data-group="(\w+)">(.*?)</ul>', html, re.S)}


@pytest.fixture
def company(tenant, factory):
    """admin > rep (owns 华星科技, contact 李雷 on 010-8888 6666, deal 华星一期); admin > outsider, a rep who may
    see every customer but read only their own people's numbers; admin > loner, who sees only their own."""
    admin = factory.admin_id(tenant)
    rep = factory.user(tenant, "rep", superior_id=admin)
    factory.user(tenant, "outsider", superior_id=admin)
    factory.user(tenant, "loner", superior_id=admin)
    change_setting(factory, tenant, "role_permissions", lambda m: {**m, "rep": ["see_all"]})

    def add_contact_name():
        from crm_saas.blueprints.customers.models import Contact
        from crm_saas.extensions import db

        db.session.get(Contact, customer).name = "李雷"
        db.session.commit()

    customer = factory.customer(tenant, rep, name="华星科技有限公司", phone="010-8888 6666")
    factory._run(tenant, add_contact_name)
    factory.deal(tenant, customer, rep, name="华星一期")
    factory.customer(tenant, admin, name="无关公司", phone="13912340000")
    return customer


def test_results_come_grouped_by_name_and_by_any_digits_of_a_number(tenant, company, admin_client):
    by_name = admin_client.get("/search", query_string={"q": "华星"}, headers=HX)
    assert by_name.status_code == 200 and by_name.text.lstrip().startswith('<section id="global-search-results"')
    assert groups(by_name.text) == {"customers": ["华星科技有限公司"], "deals": ["华星一期"]}
    for q in ("6666", "01088886666", "8888 6666"):
        found = admin_client.get("/search", query_string={"q": q}, headers=HX).text
        assert groups(found) == {"customers": ["华星科技有限公司"], "contacts": ["李雷"]}, q
        assert "010-8888 6666" in found
    assert groups(admin_client.get("/search", query_string={"q": "李雷"}, headers=HX).text) == {
        "customers": ["华星科技有限公司"], "contacts": ["李雷"]}  # a customer is found by its contacts too
    nothing = admin_client.get("/search", query_string={"q": "不存在"}, headers=HX).text
    assert groups(nothing) == {} and "Nothing matches" in nothing


def test_a_number_the_viewer_may_not_read_never_matches(tenant, company, client_for):
    outsider = client_for(tenant)
    login(outsider, "outsider", STAFF_PASSWORD)
    assert groups(outsider.get("/search", query_string={"q": "6666"}, headers=HX).text) == {}
    by_name = outsider.get("/search", query_string={"q": "李雷"}, headers=HX).text
    assert groups(by_name) == {"customers": ["华星科技有限公司"], "contacts": ["李雷"]}  # by name: number masked
    assert "010-**** 6666" in by_name and "8888" not in by_name


def test_nothing_beyond_the_viewers_reach_is_found(tenant, company, client_for, factory):
    change_setting(factory, tenant, "role_permissions", lambda m: {**m, "rep": []})
    loner = client_for(tenant)
    login(loner, "loner", STAFF_PASSWORD)
    for q in ("华星", "李雷", "6666"):
        assert groups(loner.get("/search", query_string={"q": q}, headers=HX).text) == {}, q


def test_the_page_without_htmx_and_the_box_in_the_top_bar(tenant, company, admin_client):
    page = admin_client.get("/customers/").text
    assert 'role="search"' in page and 'id="global-search"' in page and "Search (/)" in page
    full = admin_client.get("/search", query_string={"q": "华星"}).text
    assert "<html" in full and 'value="华星"' in full and groups(full)["deals"] == ["华星一期"]


def test_only_signed_in_people_of_a_company_search(tenant, company, client_for):
    assert client_for(tenant).get("/search", query_string={"q": "华星"}).status_code == 302
    assert client_for("localhost").get("/search", query_string={"q": "华星"}).status_code == 404
