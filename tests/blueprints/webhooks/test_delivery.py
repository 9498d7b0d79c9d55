"""Webhooks delivered to a real receiver on 127.0.0.1 by the worker's own jobs, run in this process: signed,
retried with growing delays (a frozen clock moved between runs), once and in order per record, nothing for a
change that rolled back, nothing lost while Redis was down, an endpoint that keeps failing turned off."""
import json
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from redis import Redis

from tests.api_client import valid_customer
from tests.blueprints.webhooks.helpers import (
    add_endpoint,
    allow_private,
    endpoint_state,
    in_tenant,
    outbox_rows,
    receiving,
    run_sweep,
    run_worker,
    self_signed,
    verify,
    worker_app,
)
from tests.mail_sink import set_email

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def company(tenant, factory):
    allow_private(factory, tenant)
    return tenant


def test_the_signature_verifies_with_the_secret(app, company, factory, admin_api):
    with receiving() as receiver:
        endpoint_id, secret = add_endpoint(factory, company, receiver.url, ["customer.created"])
        customer = admin_api.post("/customers", json=valid_customer(name="签名测试公司")).get_json()
        assert run_worker(app, company)["delivered"] == 1

    [(status, headers, body)] = receiver.requests
    assert verify(secret, headers, body)
    assert not verify("another-secret-of-enough-length", headers, body)
    assert headers["X-CRM-Event"] == "customer.created"
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "crm-saas-webhooks"
    assert headers["Host"] == receiver.url.split("/")[2]
    assert receiver.paths == ["/hooks?source=crm"]
    payload = json.loads(body)
    assert set(payload) == {"event", "occurred_at", "data"}
    assert payload["event"] == "customer.created"
    assert payload["data"]["id"] == customer["id"] and payload["data"]["name"] == "签名测试公司"
    assert datetime.fromisoformat(payload["occurred_at"]).tzinfo is not None
    [delivery] = admin_api.get(f"/webhooks/{endpoint_id}/deliveries").get_json()["items"]
    assert headers["X-CRM-Delivery"] == str(delivery["id"])
    assert (delivery["status"], delivery["status_code"], delivery["attempts"]) == ("delivered", 200, 1)
    assert delivery["response_ms"] is not None and delivery["delivered_at"]
    assert outbox_rows(factory, company) == [("customer.created", "customer", customer["id"], True)]


def test_a_receiver_failing_twice_gets_the_event_once_and_a_records_events_in_order(app, company, factory, admin_api):
    with receiving([500, 500]) as receiver, time_machine.travel(T0, tick=False) as clock:
        endpoint_id, _secret = add_endpoint(factory, company, receiver.url, ["customer.created", "customer.updated"])
        customer = admin_api.post("/customers", json=valid_customer(name="甲公司")).get_json()
        assert admin_api.patch(f"/customers/{customer['id']}", json={"name": "甲公司（新）"}).status_code == 200

        run_worker(app, company)  # created: 500; updated waits behind it
        assert [h["X-CRM-Event"] for _s, h, _b in receiver.requests] == ["customer.created"]
        clock.shift(timedelta(seconds=20))
        run_worker(app, company)  # too early for a retry: nothing is sent
        assert len(receiver.requests) == 1
        clock.shift(timedelta(seconds=11))
        run_worker(app, company)  # 500 again
        clock.shift(timedelta(minutes=2, seconds=1))
        run_worker(app, company)  # 200, then the update may go
        clock.shift(timedelta(hours=1))
        run_worker(app, company)  # nothing left

    events = [(status, h["X-CRM-Event"]) for status, h, _b in receiver.requests]
    assert events == [(500, "customer.created"), (500, "customer.created"), (200, "customer.created"),
                      (200, "customer.updated")]
    assert [body["data"]["name"] for body in receiver.accepted()] == ["甲公司", "甲公司（新）"]
    created_ids = {h["X-CRM-Delivery"] for _s, h, _b in receiver.requests[:3]}
    assert len(created_ids) == 1  # one delivery, tried three times
    log = admin_api.get(f"/webhooks/{endpoint_id}/deliveries").get_json()["items"]
    assert [(d["event"], d["status"], d["attempts"]) for d in log] == [
        ("customer.updated", "delivered", 1), ("customer.created", "delivered", 3)]
    assert endpoint_state(factory, company, endpoint_id)["failures"] == 0


def test_a_rolled_back_change_writes_no_event_and_sends_nothing(app, company, factory):
    from sqlalchemy import func, select

    from crm_saas.blueprints.customers.models import Customer
    from crm_saas.core.outbox import OutboxEvent
    from crm_saas.extensions import db

    owner = factory.admin_id(company)
    customer_id = factory.customer(company, owner, name="乙公司")

    def new_customer(name):
        return Customer(number=f"T-{name}", name=name, industry="it", source="referral", owner_id=owner)

    def events():
        return db.session.scalar(select(func.count()).select_from(OutboxEvent))

    with receiving() as receiver:
        add_endpoint(factory, company, receiver.url)

        def change_then_roll_back():
            db.session.get(Customer, customer_id).name = "不该发出的名字"
            db.session.add(new_customer("丙公司"))
            db.session.flush()
            db.session.rollback()
            db.session.commit()  # a later commit of the same session has nothing stale to announce
            return events()

        assert in_tenant(factory, company, change_then_roll_back) == 0

        def commit_that_fails():
            db.session.add(new_customer("丁公司"))
            db.session.get(Customer, customer_id).name = None  # NOT NULL: the commit's flush fails
            with pytest.raises(Exception, match="null value"):
                db.session.commit()
            db.session.rollback()
            return events()

        assert in_tenant(factory, company, commit_that_fails) == 0

        def commit_for_real():
            db.session.get(Customer, customer_id).name = "乙公司（已提交）"
            db.session.commit()

        in_tenant(factory, company, commit_for_real)
        run_worker(app, company)
    assert [(h["X-CRM-Event"], json.loads(b)["data"]["name"]) for _s, h, b in receiver.requests] == [
        ("customer.updated", "乙公司（已提交）")]


def test_events_made_while_redis_was_down_are_delivered_after_it_returns(app, company, factory, admin_api,
                                                                         monkeypatch):
    from crm_saas.core.queue import export_queue

    def queued_for_company():
        with app.app_context():
            return [job for job in export_queue().jobs
                    if job.func_name == "crm_saas.workers.webhooks.deliver_company"
                    and job.args == (company.schema_name,)]

    with receiving() as receiver:
        add_endpoint(factory, company, receiver.url, ["customer.created"])
        with monkeypatch.context() as down:
            down.setitem(app.extensions, "crm_redis", Redis.from_url("redis://127.0.0.1:1",
                                                                      socket_connect_timeout=0.5))
            response = admin_api.post("/customers", json=valid_customer(name="丁公司"))
            assert response.status_code == 201  # the change is saved; the queue's failure is nobody's error
        assert outbox_rows(factory, company) == [("customer.created", "customer", response.get_json()["id"], False)]
        assert queued_for_company() == []
        assert receiver.requests == []

        swept = run_sweep(app)  # Redis is back: the scheduler's sweep runs again
        assert swept[company.slug]["delivered"] == 1
        assert [body["data"]["name"] for body in receiver.accepted()] == ["丁公司"]
        assert outbox_rows(factory, company)[0][3] is True


def test_an_endpoint_that_keeps_failing_is_turned_off_and_the_admins_told(app, company, factory, admin_api,
                                                                          admin_client, mail_sink, monkeypatch):
    monkeypatch.setitem(app.config, "CRM_WEBHOOK_DISABLE_AFTER", 3)
    set_email(factory, company, "admin", "admin@example.com", "en")
    with receiving([500] * 10) as receiver:
        endpoint_id, _secret = add_endpoint(factory, company, receiver.url, ["customer.created"])
        with time_machine.travel(T0, tick=False) as clock:
            admin_api.post("/customers", json=valid_customer(name="戊公司"))
            for wait in (timedelta(0), timedelta(seconds=31), timedelta(minutes=2, seconds=1)):
                clock.shift(wait)
                run_worker(app, company)
            assert len(receiver.requests) == 3
            assert endpoint_state(factory, company, endpoint_id) == {"active": False, "failures": 3,
                                                                     "disabled_reason": "failures"}
            [(to, message)] = [(to, m) for to, m in mail_sink.messages if to == ["admin@example.com"]]
            assert receiver.url in message["Subject"]
            assert "/settings/webhooks/" in message.get_content()

            admin_api.post("/customers", json=valid_customer(name="己公司"))  # nobody listens: no event written
            assert [row[0] for row in outbox_rows(factory, company)] == ["customer.created"]
            clock.shift(timedelta(days=1))
            run_worker(app, company)
            assert len(receiver.requests) == 3  # off: nothing is tried

        page = admin_client.get("/settings/webhooks/").get_data(as_text=True)
        assert f'data-turned-off="{endpoint_id}"' in page and "was turned off" in page
        receiver.statuses.clear()
        assert admin_client.post(f"/settings/webhooks/{endpoint_id}/enable").status_code == 302
        assert endpoint_state(factory, company, endpoint_id)["failures"] == 0
        run_worker(app, company)
        assert [body["data"]["name"] for body in receiver.accepted()] == ["戊公司"]


def test_a_private_address_allowed_once_is_refused_at_delivery_when_no_longer_allowed(app, company, factory,
                                                                                       admin_api):
    with receiving() as receiver:
        endpoint_id, _secret = add_endpoint(factory, company, receiver.url, ["customer.created"])
        allow_private(factory, company, False)
        admin_api.post("/customers", json=valid_customer(name="庚公司"))
        run_worker(app, company)
    assert receiver.requests == []
    [delivery] = admin_api.get(f"/webhooks/{endpoint_id}/deliveries").get_json()["items"]
    assert (delivery["status"], delivery["error"], delivery["attempts"]) == ("pending", "refused_destination", 1)


def test_a_dead_receiver_is_a_failed_attempt_not_a_crash(app, company, factory, admin_api):
    with receiving() as receiver:
        url = receiver.url
    endpoint_id, _secret = add_endpoint(factory, company, url, ["customer.created"])  # nobody listens there now
    admin_api.post("/customers", json=valid_customer(name="辛公司"))
    run = run_worker(app, company)
    assert (run["delivered"], run["failed"]) == (0, 1)
    [delivery] = admin_api.get(f"/webhooks/{endpoint_id}/deliveries").get_json()["items"]
    assert (delivery["error"], delivery["status_code"]) == ("unreachable", None)
    assert endpoint_state(factory, company, endpoint_id)["failures"] == 1


def test_https_checks_the_certificate_for_the_urls_host_while_connecting_to_the_checked_address(
        app, company, factory, admin_api, tmp_path, monkeypatch):
    tls, certificate = self_signed(tmp_path)
    with receiving(tls=tls) as receiver:
        endpoint_id, secret = add_endpoint(factory, company, receiver.url, ["customer.created"])
        admin_api.post("/customers", json=valid_customer(name="加密公司"))
        run_worker(app, company)  # a certificate nobody vouches for: refused
        [delivery] = admin_api.get(f"/webhooks/{endpoint_id}/deliveries").get_json()["items"]
        assert (delivery["status"], delivery["error"]) == ("pending", "tls")
        assert receiver.requests == []

        monkeypatch.setenv("SSL_CERT_FILE", str(certificate))  # now trusted, for the name localhost only
        with time_machine.travel(datetime.now(timezone.utc) + timedelta(minutes=1)):
            run_worker(app, company)  # the retry, once its delay has passed
    [(status, headers, body)] = receiver.requests
    assert status == 200 and verify(secret, headers, body)
    assert headers["Host"] == f"localhost:{receiver.server.server_address[1]}"


def test_two_workers_at_once_send_each_event_once(app, company, factory, admin_api):
    import threading

    from crm_saas.workers.webhooks import deliver_company

    with receiving() as receiver:
        add_endpoint(factory, company, receiver.url, ["customer.created"])
        for n in range(12):
            admin_api.post("/customers", json=valid_customer(name=f"并发公司{n}"))
        with worker_app(app):
            workers = [threading.Thread(target=deliver_company, args=(company.schema_name,)) for _ in range(2)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join(timeout=30)
    deliveries = [headers["X-CRM-Delivery"] for _status, headers, _body in receiver.requests]
    assert len(deliveries) == 12 and len(set(deliveries)) == 12
    assert sorted(body["data"]["name"] for body in receiver.accepted()) == sorted(f"并发公司{n}" for n in range(12))
