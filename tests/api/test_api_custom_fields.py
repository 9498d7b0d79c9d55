"""Custom field definitions through the API: everyone reads them, settings managers change them."""
import pytest

from tests.api_client import ApiClient

SIX = [
    {"entity": "customer", "label": "Level", "type": "choice", "options": ["A", "B"], "required": True},
    {"entity": "customer", "label": "Products", "type": "multichoice", "options": ["CRM", "ERP"]},
    {"entity": "customer", "label": "Employees", "type": "number"},
    {"entity": "deal", "label": "Signed on", "type": "date"},
    {"entity": "customer", "label": "Key account", "type": "bool", "key": "vip"},
    {"entity": "deal", "label": "Notes", "type": "text"},
]


@pytest.fixture
def rep_api(tenant, factory, api_for):
    factory.user(tenant, "rep", superior_id=factory.admin_id(tenant))
    return api_for(tenant, "rep")


def created(api, **data):
    response = api.post("/custom-fields", json=data)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def keys(api, query=""):
    response = api.get(f"/custom-fields{query}")
    assert response.status_code == 200
    return [(f["entity"], f["key"]) for f in response.get_json()]


def test_each_type_is_created_and_listed_by_entity_then_position(admin_api):
    bodies = [created(admin_api, **data) for data in SIX]
    assert bodies[0] == {"id": bodies[0]["id"], "entity": "customer", "key": "level", "label": "Level",
                         "type": "choice", "required": True, "options": ["A", "B"], "position": 0}
    assert [b["key"] for b in bodies] == ["level", "products", "employees", "signed_on", "vip", "notes"]
    assert [b["position"] for b in bodies] == [0, 1, 2, 0, 3, 1]
    assert bodies[2]["options"] == [] and bodies[2]["required"] is False
    assert keys(admin_api) == [("customer", "level"), ("customer", "products"), ("customer", "employees"),
                               ("customer", "vip"), ("deal", "signed_on"), ("deal", "notes")]
    assert keys(admin_api, "?entity=deal") == [("deal", "signed_on"), ("deal", "notes")]
    assert admin_api.get("/custom-fields?entity=contact").status_code == 422
    assert admin_api.get(f"/custom-fields/{bodies[3]['id']}").get_json()["label"] == "Signed on"


def test_a_key_is_made_from_a_chinese_label_and_a_taken_key_is_refused(admin_api):
    assert created(admin_api, entity="customer", label="客户级别", type="text")["key"] == "ke_hu_ji_bie"
    # another label (traditional characters) that reads the same gets the next key
    assert created(admin_api, entity="customer", label="客戶級別", type="text")["key"] == "ke_hu_ji_bie_2"
    assert created(admin_api, entity="deal", label="客户级别", type="text")["key"] == "ke_hu_ji_bie"
    taken = admin_api.post("/custom-fields", json={"entity": "customer", "label": "Level", "type": "text",
                                                   "key": "ke_hu_ji_bie"})
    assert taken.status_code == 422
    assert taken.get_json() == {"errors": {"key": ["Another field of this record type already uses this key."]}}


def test_two_fields_of_one_record_type_never_share_a_label(admin_api):
    """Forms, columns, filters and the export name a field by its label: a second "Level" would be two
    identical columns in the export."""
    first = created(admin_api, entity="customer", label="Level", type="text")
    again = admin_api.post("/custom-fields", json={"entity": "customer", "label": " level ", "type": "number"})
    assert again.status_code == 422
    assert again.get_json() == {"errors": {"label": ["Another field of this record type already has this label."]}}
    assert created(admin_api, entity="deal", label="Level", type="text")["label"] == "Level"  # other record type
    other = created(admin_api, entity="customer", label="Tier", type="text")
    renamed = admin_api.patch(f"/custom-fields/{other['id']}", json={"label": "LEVEL"})
    assert renamed.status_code == 422 and "label" in renamed.get_json()["errors"]
    assert admin_api.patch(f"/custom-fields/{first['id']}", json={"label": "Level"}).status_code == 200  # itself


def test_every_broken_rule_is_named_in_one_422(admin_api):
    empty = admin_api.post("/custom-fields", json={})
    assert empty.status_code == 422
    assert set(empty.get_json()["errors"]) == {"entity", "label", "type"}
    bad = admin_api.post("/custom-fields", json={
        "entity": "contact", "label": "x" * 101, "type": "choice", "key": "Level!", "options": ["A", " A ", ""]})
    errors = bad.get_json()["errors"]
    assert bad.status_code == 422 and set(errors) == {"entity", "label", "key", "options"}
    assert errors["label"] == ["At most 100 characters."]
    assert errors["options"] == ["A is listed twice.", "Options cannot be blank."]
    assert admin_api.post("/custom-fields", json={"entity": "customer", "label": "L", "type": "multichoice"}
                          ).get_json() == {"errors": {"options": ["Add at least one option."]}}
    assert admin_api.post("/custom-fields", json={"entity": "customer", "label": "L", "type": "text",
                                                  "options": ["A"]}).get_json()["errors"] == {
        "options": ["Only single and multiple choice fields have options."]}
    too_many = admin_api.post("/custom-fields", json={"entity": "customer", "label": "L", "type": "choice",
                                                      "options": [str(i) for i in range(101)]})
    assert too_many.get_json()["errors"] == {"options": ["At most 100 options."]}
    assert admin_api.get("/custom-fields").get_json() == []


def test_type_errors_and_rule_errors_come_back_together(admin_api):
    response = admin_api.post("/custom-fields", json={
        "entity": "customer", "label": 5, "type": "stars", "required": "perhaps", "options": ["A", 7]})
    errors = response.get_json()["errors"]
    assert response.status_code == 422
    assert set(errors) == {"label", "type", "required", "options.1"}, errors
    assert errors["type"] == ["Choose a field type from the list."]


def test_label_required_and_options_change_but_key_and_type_do_not(admin_api):
    field = created(admin_api, entity="customer", label="Level", type="choice", options=["A", "B"])
    path = f"/custom-fields/{field['id']}"
    changed = admin_api.patch(path, json={"label": "Grade", "required": True, "options": ["A", "B", "C"]})
    assert changed.status_code == 200
    assert {k: changed.get_json()[k] for k in ("label", "required", "options", "key")} == {
        "label": "Grade", "required": True, "options": ["A", "B", "C"], "key": "level"}
    refused = admin_api.patch(path, json={"type": "text", "key": "grade", "entity": "deal", "label": ""})
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {
        "type": ["The type cannot be changed after the field is created."],
        "key": ["The key cannot be changed after the field is created."],
        "entity": ["The record type cannot be changed after the field is created."],
        "label": ["Label is required."],
    }
    # Sending back what was read is fine: unchanged key and type are not changes.
    assert admin_api.patch(path, json={**changed.get_json(), "label": "Tier"}).status_code == 200
    assert admin_api.get(path).get_json()["label"] == "Tier"
    assert admin_api.patch(path, json={"options": []}).get_json()["errors"] == {
        "options": ["Add at least one option."]}


def test_moving_a_field_changes_the_order_everyone_reads(admin_api, rep_api):
    ids = [created(admin_api, entity="customer", label=label, type="text")["id"] for label in ("One", "Two", "Three")]
    moved = admin_api.patch(f"/custom-fields/{ids[2]}", json={"position": 0})
    assert moved.status_code == 200 and moved.get_json()["position"] == 0
    assert [f["label"] for f in rep_api.get("/custom-fields").get_json()] == ["Three", "One", "Two"]
    assert [f["position"] for f in rep_api.get("/custom-fields").get_json()] == [0, 1, 2]
    admin_api.patch(f"/custom-fields/{ids[2]}", json={"position": 99})  # past the end: last
    assert [f["label"] for f in rep_api.get("/custom-fields?entity=customer").get_json()] == ["One", "Two", "Three"]
    assert admin_api.patch(f"/custom-fields/{ids[0]}", json={"position": -1}).status_code == 422


def test_a_rep_reads_but_may_not_change(admin_api, rep_api, client_for, tenant):
    field = created(admin_api, entity="customer", label="Level", type="text")
    assert rep_api.get("/custom-fields").status_code == 200
    assert rep_api.get(f"/custom-fields/{field['id']}").status_code == 200
    assert rep_api.post("/custom-fields", json={"entity": "customer", "label": "X", "type": "text"}).status_code == 403
    assert rep_api.patch(f"/custom-fields/{field['id']}", json={"label": "Y"}).status_code == 403
    assert rep_api.delete(f"/custom-fields/{field['id']}").status_code == 403
    assert [f["label"] for f in admin_api.get("/custom-fields").get_json()] == ["Level"]
    assert ApiClient(client_for(tenant)).get("/custom-fields").status_code == 401
    for call in (admin_api.get, admin_api.delete, rep_api.delete):
        assert call("/custom-fields/999999").status_code == 404
    assert admin_api.patch("/custom-fields/999999", json={"label": "Z"}).status_code == 404


def test_deleting_a_field_removes_its_values_from_the_records(admin_api, tenant, factory, make_tenant, api_for):
    from crm_saas.blueprints.customers.models import Customer
    from crm_saas.extensions import db

    field = created(admin_api, entity="customer", label="Level", type="choice", options=["A"])
    created(admin_api, entity="customer", label="Region", type="text")
    other = make_tenant()
    created(api_for(other), entity="customer", label="Level", type="choice", options=["A"])
    mine = factory.customer(tenant, factory.admin_id(tenant))
    theirs = factory.customer(other, factory.admin_id(other))

    def set_custom(customer_id, values):
        def run():
            db.session.get(Customer, customer_id).custom = values
            db.session.commit()
        return run

    factory._run(tenant, set_custom(mine, {"level": "A", "region": "East"}))
    factory._run(other, set_custom(theirs, {"level": "A"}))
    assert admin_api.delete(f"/custom-fields/{field['id']}").status_code == 204
    assert factory._run(tenant, lambda: db.session.get(Customer, mine).custom) == {"region": "East"}
    assert factory._run(other, lambda: db.session.get(Customer, theirs).custom) == {"level": "A"}
    assert admin_api.get(f"/custom-fields/{field['id']}").status_code == 404
    assert keys(admin_api) == [("customer", "region")]
