"""Overdue service requests (F1): their assignee is emailed through the company's SMTP server (a real one on
127.0.0.1), once per due time, by a frozen clock: late for the response, then for the resolution, then again
for a due time moved later; nobody else, and nothing without a mail server."""
from datetime import datetime, timedelta, timezone
from itertools import count

import pytest
import time_machine

from tests.api_client import change_setting
from tests.mail_sink import set_email

T0 = datetime(2026, 5, 4, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai
_numbers = count(1)


def person(factory, tenant, username, email=None, locale=None):
    user_id = factory.user(tenant, username, superior_id=factory.admin_id(tenant))
    set_email(factory, tenant, username, email, locale)
    return user_id


@pytest.fixture
def smtp(app, tenant, factory, mail_sink, monkeypatch):
    """The company's mail server is the sink on 127.0.0.1 (the platform lets companies reach it, as its relay)."""
    monkeypatch.setitem(app.config, "CRM_OUTBOUND_ALLOW_PRIVATE", True)
    server = {"host": "127.0.0.1", "port": mail_sink.port, "tls": False, "sender": "crm@example.com"}
    change_setting(factory, tenant, "smtp", lambda value: {**value, **server})
    return mail_sink


def add_request(factory, tenant, customer_id, assignee, status="new", *, response_due, due, responded=False,
                subject="打印机卡纸"):
    from crm_saas.blueprints.service.models import ServiceRequest
    from crm_saas.extensions import db

    def make():
        record = ServiceRequest(
            number=f"SR-T{next(_numbers):04d}", type="complaint",
            status=status, priority="urgent", subject=subject, description="问题描述", customer_id=customer_id,
            assignee_id=assignee, created_at=T0 - timedelta(hours=10), updated_at=T0 - timedelta(hours=10),
            response_due_at=response_due, due_at=due, responded_at=T0 - timedelta(hours=9) if responded else None)
        db.session.add(record)
        db.session.commit()
        return record.id

    return factory._run(tenant, make)


def stored(factory, tenant, request_id):
    from crm_saas.blueprints.service.models import ServiceRequest
    from crm_saas.extensions import db

    return factory._run(tenant, lambda: db.session.get(ServiceRequest, request_id))


def move_due(factory, tenant, request_id, due):
    from crm_saas.blueprints.service.models import ServiceRequest
    from crm_saas.extensions import db

    def move():
        db.session.get(ServiceRequest, request_id).due_at = due
        db.session.commit()

    factory._run(tenant, move)


def run_job(app):
    """The scheduled job, run here as the worker would run it; ``{slug: sent}``."""
    import crm_saas.workers.context
    from crm_saas.workers.context import set_app
    from crm_saas.workers.service import remind_overdue

    previous = crm_saas.workers.context._app
    set_app(app)
    try:
        return remind_overdue()
    finally:
        set_app(previous)


def sent_to(sink, address):
    return [message for recipients, message in sink.messages if recipients == [address]]


def overdue_of(factory, tenant, user_id, **kwargs):
    from crm_saas.blueprints.service.services.reminders import overdue_count
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    return factory._run(tenant, lambda: overdue_count(db.session.get(User, user_id), **kwargs))


def test_the_assignee_is_reminded_once_per_due_time(app, tenant, factory, smtp):
    rep = person(factory, tenant, "rep", email="rep@example.com", locale="en")
    customer = factory.customer(tenant, rep, name="远航贸易")
    late = add_request(factory, tenant, customer, rep, response_due=T0 - timedelta(hours=1), due=T0 + timedelta(hours=2))
    add_request(factory, tenant, customer, rep, "in_progress", response_due=T0 - timedelta(hours=8),
                due=T0 + timedelta(hours=10), responded=True, subject="answered, not yet due")
    add_request(factory, tenant, customer, rep, "resolved", response_due=T0 - timedelta(hours=5),
                due=T0 - timedelta(hours=1), subject="resolved late, done")
    add_request(factory, tenant, customer, None, response_due=T0 - timedelta(hours=5), due=T0 - timedelta(hours=1),
                subject="nobody has it")

    with time_machine.travel(T0, tick=True):
        assert overdue_of(factory, tenant, rep) == 1
        assert run_job(app).get(tenant.slug) == 1
        assert tenant.slug not in run_job(app)  # the same due time: nothing twice
    [first] = sent_to(smtp, "rep@example.com")
    body = first.get_content()
    assert first["Subject"] == "Overdue: " + stored(factory, tenant, late).number + " 打印机卡纸"
    assert "Hello Rep," in body and "First response was due:" in body and "远航贸易" in body
    assert f"http://{tenant.slug}.localhost/service/{late}" in body
    reminded = stored(factory, tenant, late)
    assert reminded.overdue_reminded_at is not None and reminded.updated_at == T0 - timedelta(hours=10)

    with time_machine.travel(T0 + timedelta(hours=3), tick=True):  # now the resolution is late too
        assert run_job(app).get(tenant.slug) == 1
        assert tenant.slug not in run_job(app)
    assert "Resolution was due:" in sent_to(smtp, "rep@example.com")[-1].get_content()

    move_due(factory, tenant, late, T0 + timedelta(hours=5))  # given more time: not overdue until then
    with time_machine.travel(T0 + timedelta(hours=4), tick=True):
        assert tenant.slug not in run_job(app)
    with time_machine.travel(T0 + timedelta(hours=6), tick=True):
        assert run_job(app).get(tenant.slug) == 1  # the new due time has passed: reminded again
    assert len(sent_to(smtp, "rep@example.com")) == 3 and len(smtp.messages) == 3


def test_reminders_speak_the_assignees_language_and_need_a_mail_server(app, tenant, make_tenant, factory, smtp):
    quiet = person(factory, tenant, "quiet")  # no email address
    zh = person(factory, tenant, "zhang", email="zhang@example.com")  # no language chosen: the company's, Chinese
    customer = factory.customer(tenant, zh, name="远航贸易")
    for assignee in (quiet, zh):
        add_request(factory, tenant, customer, assignee, response_due=T0 - timedelta(hours=2),
                    due=T0 - timedelta(hours=1), responded=True)
    elsewhere = make_tenant()  # SMTP left at the defaults: no host
    someone = person(factory, elsewhere, "rep", email="rep@example.com")
    add_request(factory, elsewhere, factory.customer(elsewhere, someone), someone,
                response_due=T0 - timedelta(hours=2), due=T0 - timedelta(hours=1))

    with time_machine.travel(T0, tick=True):
        sent = run_job(app)
        assert overdue_of(factory, elsewhere, someone) == 1  # it stands out, though nobody could be emailed
        assert overdue_of(factory, tenant, factory.admin_id(tenant), mine=False) == 2  # the admin sees both
    assert sent.get(tenant.slug) == 1 and elsewhere.slug not in sent
    [mail] = smtp.messages
    assert mail[0] == ["zhang@example.com"]
    assert "Zhang，您好：" in mail[1].get_content() and "客户：远航贸易" in mail[1].get_content()


def test_the_scheduler_runs_it_every_five_minutes():
    from crm_saas.workers import scheduler, service

    assert (service.remind_overdue, {"interval": 300}) in scheduler.SCHEDULE
