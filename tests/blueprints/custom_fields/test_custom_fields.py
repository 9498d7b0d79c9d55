"""Custom field definitions (C4): the admin pages, the value rules, filters, and what deleting a field erases."""
from datetime import date

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from tests.conftest import STAFF_PASSWORD, login

HTMX = {"HX-Request": "true"}


def run(factory, tenant, fn):
    """``fn(services, admin)`` inside the tenant, as its admin, in an English request (messages are words)."""
    from crm_saas.blueprints.custom_fields import services
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    def call():
        with factory.app.test_request_context(headers={"Accept-Language": "en"}):
            admin = db.session.scalar(select(User).where(User.username == "admin"))
            return fn(services, admin)

    return factory._run(tenant, call)


def add_field(factory, tenant, **data):
    data = {"entity": "customer", **data}
    return run(factory, tenant, lambda s, admin: s.create_field(data, actor=admin).id)


def fields(factory, tenant, entity="customer"):
    return run(factory, tenant, lambda s, admin: [(f.key, f.label, f.type, f.required, f.options)
                                                   for f in s.definitions(entity)])


def set_custom(factory, tenant, customer_id, values):
    from crm_saas.blueprints.customers.models import Customer
    from crm_saas.extensions import db

    def change():
        db.session.get(Customer, customer_id).custom = values
        db.session.commit()

    factory._run(tenant, change)


def custom_of(factory, tenant, customer_id):
    from crm_saas.blueprints.customers.models import Customer
    from crm_saas.extensions import db

    return factory._run(tenant, lambda: db.session.get(Customer, customer_id).custom)


def log_actions(factory, tenant):
    from crm_saas.core.audit import OperationLog
    from crm_saas.extensions import db

    return factory._run(tenant, lambda: [(e.action, e.details) for e in
                                         db.session.scalars(select(OperationLog).order_by(OperationLog.id))])


SIX = [
    {"label": "Level", "type": "choice", "options": "A\nB\nC\n"},
    {"label": "Products", "type": "multichoice", "options": "CRM\nERP"},
    {"label": "Employees", "type": "number"},
    {"label": "Signed on", "type": "date"},
    {"label": "Key account", "type": "bool"},
    {"label": "Notes", "type": "text", "required": "y"},
]


def test_only_holders_of_manage_settings_reach_the_pages(tenant, client_for, factory):
    factory.user(tenant, "rep", superior_id=factory.admin_id(tenant))
    rep = client_for(tenant)
    login(rep, "rep", STAFF_PASSWORD)
    assert rep.get("/settings/fields/").status_code == 403
    assert rep.post("/settings/fields/", data={"entity": "customer", "label": "X", "type": "text"}).status_code == 403
    assert fields(factory, tenant) == []
    assert client_for(tenant).get("/settings/fields/").status_code == 302  # anonymous: to the login page


def test_the_admin_adds_each_type_through_the_page(tenant, admin_client, factory):
    for data in SIX:
        saved = admin_client.post("/settings/fields/", data={"entity": "customer", **data})
        assert saved.status_code == 302 and saved.location.endswith("/settings/fields/?entity=customer")
    assert fields(factory, tenant) == [
        ("level", "Level", "choice", False, ["A", "B", "C"]),
        ("products", "Products", "multichoice", False, ["CRM", "ERP"]),
        ("employees", "Employees", "number", False, []),
        ("signed_on", "Signed on", "date", False, []),
        ("key_account", "Key account", "bool", False, []),
        ("notes", "Notes", "text", True, []),
    ]
    page = admin_client.get("/settings/fields/?entity=customer").text
    for text in ("Single choice", "Multiple choice", "Numeric", "Date", "Yes/no", "A, B, C", "<code>signed_on</code>"):
        assert text in page
    assert fields(factory, tenant, "deal") == []
    assert "No custom fields yet." in admin_client.get("/settings/fields/?entity=deal").text
    assert [action for action, _ in log_actions(factory, tenant)] == ["custom_field_created"] * 6


def test_an_htmx_add_answers_with_the_list_section(tenant, admin_client, factory):
    saved = admin_client.post("/settings/fields/", data={"entity": "deal", "label": "客户级别", "type": "text"},
                              headers=HTMX)
    assert saved.status_code == 200 and "<html" not in saved.text
    assert saved.text.lstrip().startswith("<section id=\"custom-field-list\">")
    assert "客户级别 has been added." in saved.text and "<code>ke_hu_ji_bie</code>" in saved.text
    again = admin_client.post("/settings/fields/", data={"entity": "deal", "label": "客戶級別", "type": "text"},
                              headers=HTMX)
    assert "<code>ke_hu_ji_bie_2</code>" in again.text
    twin = admin_client.post("/settings/fields/", data={"entity": "deal", "label": "客户级别", "type": "text"},
                             headers=HTMX)
    assert twin.status_code == 422 and "Another field of this record type already has this label." in twin.text
    assert [key for key, *_ in fields(factory, tenant, "deal")] == ["ke_hu_ji_bie", "ke_hu_ji_bie_2"]


def test_the_page_names_every_bad_field_and_saves_nothing(tenant, admin_client, factory):
    add_field(factory, tenant, label="Level", type="text")
    refused = admin_client.post("/settings/fields/", data={
        "entity": "customer", "label": "", "key": "level", "type": "choice", "options": "A\nA"}, headers=HTMX)
    assert refused.status_code == 422 and 'id="custom-field-list"' in refused.text
    for message in ("Label is required.", "Another field of this record type already uses this key.",
                    "A is listed twice."):
        assert message in refused.text
    assert refused.text.count('aria-invalid="true"') == 3
    bad_key = admin_client.post("/settings/fields/", data={"entity": "customer", "label": "X", "key": "9x",
                                                          "type": ""})
    assert bad_key.status_code == 422 and "<html" in bad_key.text
    assert "Field type is required." in bad_key.text and "Start with a lowercase letter" in bad_key.text
    assert len(fields(factory, tenant)) == 1


def test_editing_changes_label_required_and_options_but_never_key_or_type(tenant, admin_client, factory):
    field_id = add_field(factory, tenant, label="Level", type="choice", options=["A", "B"])
    form = admin_client.get(f"/settings/fields/{field_id}/edit", headers=HTMX)
    assert form.status_code == 200 and f'action="/settings/fields/{field_id}/edit"' in form.text
    assert "A\nB</textarea>" in form.text and 'id="edit-label"' in form.text and 'id="label"' in form.text
    saved = admin_client.post(f"/settings/fields/{field_id}/edit", data={
        "edit-label": "Grade", "edit-required": "y", "edit-options": "A\nB\nC", "edit-key": "grade",
        "edit-type": "text"})
    assert saved.status_code == 302
    assert fields(factory, tenant) == [("level", "Grade", "choice", True, ["A", "B", "C"])]
    refused = admin_client.post(f"/settings/fields/{field_id}/edit", data={"edit-label": "", "edit-options": ""})
    assert refused.status_code == 422
    assert "Label is required." in refused.text and "Add at least one option." in refused.text
    changes = [d["changes"] for action, d in log_actions(factory, tenant) if action == "custom_field_updated"]
    assert changes == [{"label": ["Level", "Grade"], "required": [False, True], "options": [["A", "B"], ["A", "B", "C"]]}]


def test_moving_up_and_down_reorders(tenant, admin_client, factory):
    ids = [add_field(factory, tenant, label=label, type="text") for label in ("One", "Two", "Three")]
    moved = admin_client.post(f"/settings/fields/{ids[2]}/move", data={"direction": "up"}, headers=HTMX)
    assert moved.status_code == 200 and moved.text.index("Three") < moved.text.index("Two")
    assert [label for _, label, *_ in fields(factory, tenant)] == ["One", "Three", "Two"]
    assert admin_client.post(f"/settings/fields/{ids[0]}/move", data={"direction": "down"}).status_code == 302
    assert [label for _, label, *_ in fields(factory, tenant)] == ["Three", "One", "Two"]
    admin_client.post(f"/settings/fields/{ids[2]}/move", data={"direction": "up"})  # already first: no change
    assert [label for _, label, *_ in fields(factory, tenant)] == ["Three", "One", "Two"]
    assert admin_client.post("/settings/fields/999999/move", data={"direction": "up"}).status_code == 404


def test_deleting_asks_first_then_strips_the_value_from_this_company_only(tenant, make_tenant, admin_client, factory):
    other = make_tenant()
    for company in (tenant, other):
        add_field(factory, company, label="Level", type="choice", options=["A", "B"])
        add_field(factory, company, label="Region", type="text")
    field_id = run(factory, tenant, lambda s, admin: s.definitions("customer")[0].id)
    admin = factory.admin_id(tenant)
    mine = [factory.customer(tenant, admin, name=f"C{i}", phone=f"1380013800{i}") for i in range(3)]
    set_custom(factory, tenant, mine[0], {"level": "A", "region": "East"})
    set_custom(factory, tenant, mine[1], {"level": "B"})
    set_custom(factory, tenant, mine[2], {"region": "West"})
    theirs = factory.customer(other, factory.admin_id(other), name="Other")
    set_custom(factory, other, theirs, {"level": "A", "region": "North"})

    confirm = admin_client.get(f"/settings/fields/{field_id}/delete", headers=HTMX)
    assert "Delete Level? 2 records hold a value for it; those values will be removed." in confirm.text
    assert fields(factory, tenant)[0][0] == "level"  # asking deletes nothing
    done = admin_client.post(f"/settings/fields/{field_id}/delete", headers=HTMX)
    assert done.status_code == 200 and "Level has been deleted, with its values on 2 records." in done.text
    assert [custom_of(factory, tenant, c) for c in mine] == [{"region": "East"}, {}, {"region": "West"}]
    assert custom_of(factory, other, theirs) == {"level": "A", "region": "North"}
    assert [key for key, *_ in fields(factory, tenant)] == ["region"]
    assert [key for key, *_ in fields(factory, other)] == ["level", "region"]
    deleted = [d for action, d in log_actions(factory, tenant) if action == "custom_field_deleted"]
    assert deleted == [{"entity": "customer", "key": "level", "type": "choice", "records": 2}]
    assert admin_client.post(f"/settings/fields/{field_id}/delete").status_code == 404


def test_keys_come_from_labels_by_pinyin(tenant, factory):
    from crm_saas.blueprints.custom_fields.services import derive_key

    assert derive_key("客户级别", set()) == "ke_hu_ji_bie"
    assert derive_key("客户级别", {"ke_hu_ji_bie", "ke_hu_ji_bie_2"}) == "ke_hu_ji_bie_3"
    assert derive_key("2024 目标", set()) == "f_2024_mu_biao"
    assert derive_key("Café & Co.", set()) == "cafe_co"
    assert derive_key("!!!", set()) == "field"
    assert len(derive_key("很" * 60, set())) <= 40


@pytest.fixture
def defined(tenant, factory):
    """One field of each type on customers; the number and date optional, the rest as marked."""
    add_field(factory, tenant, label="Level", type="choice", options=["A", "B"], required=True)
    add_field(factory, tenant, label="Products", type="multichoice", options=["CRM", "ERP", "OA"])
    add_field(factory, tenant, label="Employees", type="number")
    add_field(factory, tenant, label="Signed on", type="date")
    add_field(factory, tenant, label="Key account", type="bool")
    add_field(factory, tenant, label="Notes", type="text")
    return tenant


def clean(factory, tenant, raw, partial=False):
    return run(factory, tenant, lambda s, admin: s.clean_values("customer", raw, partial=partial))


def test_clean_values_coerces_each_type_and_drops_empty_optional_values(defined, factory):
    values, errors = clean(factory, defined, {
        "level": " A ", "products": ["OA", "CRM", "OA", ""], "employees": "1,200", "signed_on": "2026-03-01",
        "key_account": "yes", "notes": "  VIP  "})
    assert errors == {}
    assert values == {"level": "A", "products": ["CRM", "OA"], "employees": 1200, "signed_on": "2026-03-01",
                      "key_account": True, "notes": "VIP"}
    values, errors = clean(factory, defined, {"level": "B", "products": "ERP", "employees": 2.50,
                                               "signed_on": "", "key_account": "", "notes": None})
    assert errors == {} and values == {"level": "B", "products": ["ERP"], "employees": 2.5}
    assert clean(factory, defined, {"level": "A", "employees": "3.0", "key_account": "0"})[0] == {
        "level": "A", "employees": 3, "key_account": False}


def test_clean_values_names_each_refused_field_by_its_label(defined, factory):
    values, errors = clean(factory, defined, {
        "products": ["CRM", "SAP"], "employees": "many", "signed_on": "2026-02-30", "key_account": "maybe",
        "notes": "x" * 1001, "colour": "red"})
    assert values == {}
    assert errors == {
        "custom.level": ["Level is required."],
        "custom.products": ["Products: choose values from the list."],
        "custom.employees": ["Employees: enter a number."],
        "custom.signed_on": ["Signed on: enter a date as YYYY-MM-DD."],
        "custom.key_account": ["Key account: choose yes or no."],
        "custom.notes": ["Notes: at most 1000 characters."],
        "custom.colour": ["Unknown custom field."],
    }
    assert clean(factory, defined, {"level": "C", "employees": True, "signed_on": "03/01/2026"})[1] == {
        "custom.level": ["Level: choose a value from the list."], "custom.employees": ["Employees: enter a number."],
        "custom.signed_on": ["Signed on: enter a date as YYYY-MM-DD."]}
    assert clean(factory, defined, "level=A")[1] == {"custom": ["Send the custom fields as an object of key: value."]}


def test_a_partial_clean_judges_only_the_keys_sent(defined, factory):
    assert clean(factory, defined, {"notes": "hi"}, partial=True) == ({"notes": "hi"}, {})
    assert clean(factory, defined, {"level": ""}, partial=True) == ({}, {"custom.level": ["Level is required."]})
    assert clean(factory, defined, {}, partial=False)[1] == {"custom.level": ["Level is required."]}


def test_form_values_read_inputs_named_custom_key(defined, factory):
    form = MultiDict([("custom-level", "A"), ("custom-products", "CRM"), ("custom-products", "OA"),
                      ("custom-employees", "12"), ("custom-signed_on", "2026-01-02"), ("custom-notes", "n")])
    raw = run(factory, defined, lambda s, admin: s.form_values("customer", form))
    assert raw == {"level": "A", "products": ["CRM", "OA"], "employees": "12", "signed_on": "2026-01-02",
                   "key_account": False, "notes": "n"}
    form.add("custom-key_account", "true")
    values, errors = clean(factory, defined, run(factory, defined, lambda s, admin: s.form_values("customer", form)))
    assert errors == {} and values["key_account"] is True and values["employees"] == 12


def test_display_value_reads_as_people_write(app):
    from types import SimpleNamespace

    from crm_saas.blueprints.custom_fields.services import display_value

    def shown(kind, value, language="en"):
        with app.test_request_context(headers={"Accept-Language": language}):
            return display_value(SimpleNamespace(type=kind, key="k", label="K", options=[]), value)

    assert [shown("bool", True), shown("bool", False), shown("bool", None)] == ["Yes", "No", ""]
    assert shown("multichoice", ["CRM", "ERP"]) == "CRM, ERP"
    assert shown("multichoice", ["CRM", "ERP"], "zh-CN") == "CRM、ERP"
    assert [shown("number", 12.0), shown("number", 1200), shown("number", 0.5)] == ["12", "1200", "0.5"]
    assert [shown("date", "2026-03-01"), shown("text", "VIP"), shown("choice", None)] == ["2026-03-01", "VIP", ""]


def test_filter_condition_finds_the_right_customers(defined, factory):
    from crm_saas.blueprints.customers.models import Customer
    from crm_saas.extensions import db

    admin = factory.admin_id(defined)
    people = {}
    for i, (name, custom) in enumerate({
        "alpha": {"level": "A", "products": ["CRM", "OA"], "employees": 50, "signed_on": "2026-01-15",
                  "key_account": True, "notes": "Big 100% deal"},
        "beta": {"level": "B", "products": ["ERP"], "employees": 500.5, "signed_on": "2026-03-01",
                 "key_account": False, "notes": "small"},
        "gamma": {"level": "A"},
    }.items()):
        people[name] = factory.customer(defined, admin, name=name, phone=f"1390013900{i}",
                                        custom={"level": custom["level"]})  # a required field
        set_custom(factory, defined, people[name], custom)

    def found(key, value):
        def query(services, _admin):
            definition = next(d for d in services.definitions("customer") if d.key == key)
            condition = services.filter_condition(Customer.custom, definition, value)
            if condition is None:
                return None
            return sorted(db.session.scalars(select(Customer.name).where(condition)))

        return run(factory, defined, query)

    assert found("level", "A") == ["alpha", "gamma"]
    assert found("products", "OA") == ["alpha"] and found("products", ["CRM", "OA"]) == ["alpha"]
    assert found("key_account", "true") == ["alpha"] and found("key_account", "false") == ["beta"]
    assert found("employees", ("100", "")) == ["beta"] and found("employees", ("", "50")) == ["alpha"]
    assert found("employees", ("40", "600")) == ["alpha", "beta"]
    assert found("signed_on", ("2026-02-01", None)) == ["beta"]
    assert found("signed_on", (None, "2026-01-31")) == ["alpha"]
    assert found("notes", "BIG") == ["alpha"] and found("notes", "100%") == ["alpha"] and found("notes", "%") == ["alpha"]
    for key, value in (("level", ""), ("employees", ("lots", None)), ("signed_on", ("soon", "")),
                       ("key_account", "perhaps"), ("notes", "  "), ("products", [])):
        assert found(key, value) is None, key


def test_the_inputs_partial_names_inputs_and_marks_errors(app):
    from types import SimpleNamespace

    from flask import render_template

    definitions = [
        SimpleNamespace(key="level", label="Level", type="choice", required=True, options=["A", "B"]),
        SimpleNamespace(key="products", label="Products", type="multichoice", required=False, options=["CRM", "ERP"]),
        SimpleNamespace(key="employees", label="Employees", type="number", required=False, options=[]),
        SimpleNamespace(key="signed_on", label="Signed on", type="date", required=False, options=[]),
        SimpleNamespace(key="vip", label="VIP", type="bool", required=False, options=[]),
        SimpleNamespace(key="notes", label="Notes", type="text", required=False, options=[]),
    ]
    with app.test_request_context():
        html = render_template("custom_fields/_inputs.html", definitions=definitions,
                               values={"level": "B", "products": ["ERP"], "employees": 12, "vip": True,
                                       "signed_on": date(2026, 1, 2).isoformat()},
                               errors={"custom.notes": ["Notes: at most 1000 characters."]})
    assert 'for="custom-level">Level *' in html and '<option value="B" selected>' in html
    assert 'name="custom-products" value="ERP" checked' in html and 'value="CRM">' in html
    assert 'type="number" id="custom-employees" name="custom-employees"' in html and 'value="12" step="any"' in html
    assert 'type="date" id="custom-signed_on"' in html and 'value="2026-01-02"' in html
    assert 'id="custom-vip" name="custom-vip" value="true" checked' in html
    assert 'aria-invalid="true" aria-describedby="custom-notes-error"' in html
    assert '<small id="custom-notes-error" class="field-error">Notes: at most 1000 characters.</small>' in html
    assert html.count('aria-invalid') == 1


def test_a_key_taken_meanwhile_is_refused_like_any_taken_key(tenant, factory, monkeypatch):
    from crm_saas.blueprints.custom_fields import services

    add_field(factory, tenant, label="Level", type="text")
    # As if a concurrent request committed "level" after this one's rules passed.
    monkeypatch.setattr(services, "definition_errors", lambda data, field=None: {})
    with pytest.raises(services.CustomFieldError) as refused:
        add_field(factory, tenant, label="Grade", key="level", type="text")
    assert refused.value.errors == {"key": ["Another field of this record type already uses this key."]}
    assert [label for _, label, *_ in fields(factory, tenant)] == ["Level"]
