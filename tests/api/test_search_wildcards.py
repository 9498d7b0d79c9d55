"""Issue 11.10: ``%`` and ``_`` in a search are letters, in every search built from what users type."""
import pytest

from tests.api_client import valid_customer


@pytest.fixture
def records(tenant, admin_api, factory):
    field = admin_api.post("/custom-fields", json={"entity": "customer", "label": "备注码", "key": "memo", "type": "text"})
    assert field.status_code == 201, field.get_json()
    plain = admin_api.post("/customers", json=valid_customer(name="普通贸易有限公司", custom={"memo": "abc"}))
    odd = admin_api.post("/customers", json=valid_customer(
        name="百分之100%_公司", custom={"memo": "50%_off"},
        contacts=[{"name": "王_五", "phone": "13900001111", "primary": True}]))
    assert plain.status_code == odd.status_code == 201
    admin = factory.admin_id(tenant)
    for customer, name in ((plain, "普通商机"), (odd, "折扣50%_商机")):
        factory.deal(tenant, customer.get_json()["id"], admin, name=name)
    return odd.get_json()["id"]


def ids(response):
    return [item["id"] for item in response.get_json()["items"]]


@pytest.mark.parametrize("q", ["%", "_"])
def test_a_wildcard_finds_only_what_holds_it(admin_api, records, q):
    assert ids(admin_api.get("/customers", query_string={"q": q})) == [records]
    assert ids(admin_api.get("/customers", query_string={"custom.memo": q})) == [records]
    assert [d["customer_id"] for d in admin_api.get("/deals", query_string={"q": q}).get_json()["items"]] == [records]
    assert admin_api.get("/staff", query_string={"q": q}).get_json()["total"] == 0


@pytest.mark.parametrize("q", ["%%", "\\", "_%_"])
def test_what_nothing_holds_finds_nothing(admin_api, records, q):
    for path in ("/customers", "/deals", "/staff"):
        assert admin_api.get(path, query_string={"q": q}).get_json()["total"] == 0, (path, q)


def test_the_characters_themselves_are_found(admin_api, records):
    assert ids(admin_api.get("/customers", query_string={"q": "100%_"})) == [records]
    assert admin_api.get("/customers", query_string={"q": "王_五"}).get_json()["total"] == 1
    assert admin_api.get("/deals", query_string={"q": "50%_"}).get_json()["total"] == 1
    assert admin_api.get("/customers", query_string={"custom.memo": "%_o"}).get_json()["total"] == 1


def test_the_list_page_treats_them_as_letters_too(admin_client, records):
    page = admin_client.get("/customers/", query_string={"q": "%"}, headers={"HX-Request": "true"}).text
    assert "普通贸易有限公司" not in page and "百分之100%_公司" in page
