"""Service settings (F1): the request number pattern with its preview, and due hours per priority that set the due
times of requests coming in from then on; managers of settings only, every bad field named, nothing half-saved."""
import re
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import STAFF_PASSWORD, login

GOOD = {"service_number_pattern": "KF{YYYY}-{SEQ:3}",
        "urgent_response": "2", "urgent_resolution": "6", "high_response": "4", "high_resolution": "24",
        "normal_response": "8", "normal_resolution": "72", "low_response": "24", "low_resolution": "168"}


def logged_changes(factory, tenant):
    from crm_saas.core.audit import OperationLog
    from crm_saas.extensions import db

    return factory._run(tenant, lambda: [(e.target_label, e.details["new"]) for e in db.session.scalars(
        select(OperationLog).where(OperationLog.action == "setting_changed").order_by(OperationLog.id))])


def setting(factory, tenant, key):
    from crm_saas.core.settings import get_setting

    return factory._run(tenant, lambda: get_setting(key))


def file_request(factory, tenant, customer_id, priority):
    """A request filed through the service, as the page files it: ``(number, response hours, resolution hours)``."""
    from crm_saas.blueprints.service.services.requests import create_request
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    def make():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        req = create_request({"customer_id": str(customer_id), "type": "complaint", "priority": priority,
                              "description": "设备故障"}, actor=admin)
        hours = [(due - req.created_at) / timedelta(hours=1) for due in (req.response_due_at, req.due_at)]
        return req.number, *hours

    return factory._run(tenant, make)


def test_the_page_shows_the_settings_and_the_next_number(tenant, admin_client):
    page = admin_client.get("/service/settings")
    assert page.status_code == 200
    assert 'value="SR{YYYY}{MM}{DD}{SEQ:4}"' in page.text
    assert re.search(r"The next request will be numbered SR\d{8}0001\.", page.text)
    assert 'name="urgent_response"' in page.text and 'value="168"' in page.text  # low: resolved within a week
    preview = admin_client.get("/service/settings", query_string={"service_number_pattern": "FW-{SEQ:5}"},
                               headers={"HX-Request": "true"})
    assert "The next request will be numbered FW-00001." in preview.text and "<html" not in preview.text
    refused = admin_client.get("/service/settings", query_string={"service_number_pattern": "FW-{SEQ:1}"},
                               headers={"HX-Request": "true"})
    assert "The serial needs 3 to 8 digits" in refused.text and "will be numbered" not in refused.text
    assert 'href="/service/settings"' in admin_client.get("/settings/").text  # linked from the settings page


def test_bad_values_answer_422_naming_each_field_and_save_nothing(tenant, factory, admin_client):
    bad = {**GOOD, "service_number_pattern": "SR{FOO}", "high_response": "30", "low_resolution": "a week",
           "normal_response": "0", "urgent_resolution": ""}
    response = admin_client.post("/service/settings", data=bad, headers={"HX-Request": "true"})
    assert response.status_code == 422
    for name in ("service_number_pattern", "high_response", "low_resolution", "normal_response", "urgent_resolution"):
        assert f'id="{name}-error"' in response.text, name
    assert 'id="urgent_response-error"' not in response.text
    assert "The response cannot be due after the resolution." in response.text
    assert "Unknown token {FOO}" in response.text
    assert setting(factory, tenant, "service_due_hours")["high"] == {"response": 4, "resolution": 24}
    assert setting(factory, tenant, "service_number_pattern") == "SR{YYYY}{MM}{DD}{SEQ:4}"
    assert logged_changes(factory, tenant) == []


def test_saved_hours_and_pattern_apply_to_new_requests(tenant, factory, admin_client):
    customer = factory.customer(tenant, factory.admin_id(tenant))
    before = file_request(factory, tenant, customer, "urgent")
    assert before[1:] == (1, 8) and before[0].startswith("SR")  # the defaults

    saved = admin_client.post("/service/settings", data=GOOD, headers={"HX-Request": "true"})
    assert saved.status_code == 200 and "Settings saved." in saved.text
    assert [key for key, _new in logged_changes(factory, tenant)] == ["service_number_pattern", "service_due_hours"]
    assert setting(factory, tenant, "service_due_hours")["urgent"] == {"response": 2, "resolution": 6}

    number, response_hours, resolution_hours = file_request(factory, tenant, customer, "urgent")
    assert (response_hours, resolution_hours) == (2, 6)
    assert re.fullmatch(r"KF\d{4}-001", number)
    assert re.search(r"The next request will be numbered KF\d{4}-002\.", admin_client.get("/service/settings").text)
    again = admin_client.post("/service/settings", data=GOOD, headers={"HX-Request": "true"})
    assert "Nothing changed." in again.text and len(logged_changes(factory, tenant)) == 2


def test_only_holders_of_manage_settings_may_open_it(tenant, factory, client_for):
    factory.user(tenant, "boss", role="supervisor", superior_id=factory.admin_id(tenant))
    client = client_for(tenant)
    assert login(client, "boss", STAFF_PASSWORD).status_code == 302
    assert client.get("/service/settings").status_code == 403
    assert client.post("/service/settings", data=GOOD).status_code == 403
    assert setting(factory, tenant, "service_number_pattern") == "SR{YYYY}{MM}{DD}{SEQ:4}"
