"""The company's own numbering and hours reach new requests (service_number_pattern, service_due_hours), and the
numbers count apart from customer numbers."""
import re
from datetime import timedelta

from tests.api_client import change_setting
from tests.blueprints.service.helpers import file_request, service_team, stored


def test_a_request_is_numbered_and_timed_by_the_companys_settings(tenant, factory):
    ids = service_team(factory, tenant)
    customer = factory.customer(tenant, ids["rep"])
    change_setting(factory, tenant, "service_number_pattern", lambda _old: "KF-{YYYY}-{SEQ:3}")
    change_setting(factory, tenant, "service_due_hours",
                   lambda old: {**old, "low": {"response": 2, "resolution": 10}})
    first = stored(factory, tenant, file_request(factory, tenant, ids["rep"], customer, priority="low"))
    second = stored(factory, tenant, file_request(factory, tenant, ids["rep"], customer))
    assert re.fullmatch(r"KF-\d{4}-001", first["number"]) and second["number"] == first["number"][:-3] + "002"
    assert first["response_due_at"] - first["created_at"] == timedelta(hours=2)
    assert first["due_at"] - first["created_at"] == timedelta(hours=10)
    assert second["due_at"] - second["created_at"] == timedelta(hours=72)  # normal: still the default
    # a customer numbered with the same prefix keeps its own count
    change_setting(factory, tenant, "customer_number_pattern", lambda _old: "KF-{YYYY}-{SEQ:3}")
    later = factory.customer(tenant, ids["rep"], name="又一家公司", phone="13900139999")
    from crm_saas.blueprints.customers.models import Customer
    from crm_saas.extensions import db

    number = factory._run(tenant, lambda: db.session.get(Customer, later).number)
    assert number == first["number"]  # the first customer under this pattern: serial 001 of its own counter


def test_integrations_hear_of_new_and_changed_requests_not_of_notes_or_reminders(tenant, factory):
    from sqlalchemy import select

    from crm_saas.blueprints.service.models import ServiceRequest
    from crm_saas.blueprints.service.services.requests import add_note
    from crm_saas.core.outbox import OutboxEvent
    from crm_saas.core.users import User
    from crm_saas.extensions import db
    from tests.blueprints.service.helpers import move
    from tests.blueprints.webhooks.helpers import add_endpoint, allow_private

    ids = service_team(factory, tenant)
    customer = factory.customer(tenant, ids["rep"])
    allow_private(factory, tenant)
    add_endpoint(factory, tenant, "http://127.0.0.1:9/hooks", events=["service_request.created",
                                                                     "service_request.changed"])
    request_id = file_request(factory, tenant, ids["rep"], customer)
    factory._run(tenant, lambda: add_note(db.session.get(ServiceRequest, request_id), "已联系",
                                          actor=db.session.get(User, ids["rep"])))
    move(factory, tenant, request_id, ids["rep"], "in_progress")
    events = factory._run(tenant, lambda: [(e.event, e.record_id, e.data["status"]) for e in db.session.scalars(
        select(OutboxEvent).where(OutboxEvent.record_type == "service_request").order_by(OutboxEvent.id))])
    assert events == [("service_request.created", request_id, "new"),
                      ("service_request.changed", request_id, "in_progress")]
