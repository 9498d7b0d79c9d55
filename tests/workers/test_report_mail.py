"""The weekly summary by email, sent by the scheduler's job through a real SMTP server (aiosmtpd): last week's
figures as each subscriber sees them, in their language, once a week; managers only."""
from datetime import datetime, timedelta

import pytest
import time_machine

from tests.blueprints.reports.target_scene import SHANGHAI, company, customer, deal, target
from tests.mail_sink import set_email

MONDAY = datetime(2026, 3, 16, 8, 0, tzinfo=SHANGHAI)  # the job's Monday morning: last week is 9-15 March


def run_job(app):
    """The scheduled job, run here as the worker would run it; ``{slug: sent}``."""
    import crm_saas.workers.context
    from crm_saas.workers.context import set_app
    from crm_saas.workers.report_mail import send_weekly_summaries

    previous = crm_saas.workers.context._app
    set_app(app)
    try:
        return send_weekly_summaries()
    finally:
        set_app(previous)


def subscribe(factory, tenant, user_id, active=True):
    """``"ok"`` or the refusal's messages, as the service answers ``user_id``."""
    from flask_babel import force_locale

    from crm_saas.blueprints.reports.services.subscriptions import SubscriptionError, set_subscription
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    def run():
        with force_locale("en"):  # the refusal as an English page would show it
            try:
                set_subscription(db.session.get(User, user_id), active)
                return "ok"
            except SubscriptionError as err:
                return err.messages

    return factory._run(tenant, run)


@pytest.fixture
def scene(tenant, factory):
    """boss (zh) leads rep_a and rep_b; admin (en) sees everyone. Last week rep_a won 12,500 and rep_c (boss2's)
    won 99,999; a deal won the week before does not count."""
    people = company(factory, tenant)
    set_email(factory, tenant, "boss", "boss@example.com", "zh_CN")
    set_email(factory, tenant, "admin", "admin@example.com", "en")
    set_email(factory, tenant, "rep_a", "rep_a@example.com", "en")
    a = customer(factory, tenant, people["rep_a"], "甲公司", created=MONDAY.date() - timedelta(days=5))
    c = customer(factory, tenant, people["rep_c"], "丙公司", created=MONDAY.date() - timedelta(days=5))
    deal(factory, tenant, a, people["rep_a"], "12500", on=MONDAY.date() - timedelta(days=6))
    deal(factory, tenant, a, people["rep_a"], "777", on=MONDAY.date() - timedelta(days=8))  # the week before
    deal(factory, tenant, c, people["rep_c"], "99999", on=MONDAY.date() - timedelta(days=5))
    target(factory, tenant, "won_amount", 30000, user_id=people["rep_a"])
    target(factory, tenant, "won_amount", 20000, user_id=people["rep_b"])
    return people


def messages_to(sink, address):
    return [message for recipients, message in sink.messages if recipients == [address]]


def test_each_manager_gets_their_weeks_figures_once_in_their_language(app, tenant, factory, scene, mail_sink):
    assert subscribe(factory, tenant, scene["boss"]) == "ok"
    assert subscribe(factory, tenant, scene["admin"]) == "ok"
    with time_machine.travel(MONDAY, tick=True):
        assert run_job(app) == {tenant.slug: 2}
        assert run_job(app) == {}  # the same week: nothing twice
    [boss_mail] = messages_to(mail_sink, "boss@example.com")
    body = boss_mail.get_content()
    assert "2026年3月9日" in boss_mail["Subject"] and "Boss，您好：" in body
    assert "¥12,500.00" in body and "99,999" not in body and "Rep C" not in body and "丙公司" not in body
    # The month's targets so far: the team's is its people's 30,000 + 20,000; March's wins 12,500 + 777.
    assert "Targets of 2026-03, so far:" in body and "¥13,277.00 of ¥50,000.00 (26.6%)" in body
    assert f"http://{tenant.slug}." in body
    [admin_mail] = messages_to(mail_sink, "admin@example.com")
    text = admin_mail.get_content()
    assert admin_mail["Subject"] == "Weekly summary, Mar 9, 2026 to Mar 15, 2026"
    assert "Hello Admin," in text and "Won amount: CN¥112,499.00 (week before: CN¥777.00, +14378.6%)" in text
    with time_machine.travel(MONDAY + timedelta(days=7), tick=True):
        assert run_job(app) == {tenant.slug: 2}  # a new week
    assert len(messages_to(mail_sink, "boss@example.com")) == 2


def test_only_managers_get_it(app, tenant, factory, scene, mail_sink):
    assert subscribe(factory, tenant, scene["rep_a"]) == [
        "Only supervisors and administrators receive the weekly summary."]
    assert subscribe(factory, tenant, scene["boss"]) == "ok"

    def demote():
        from sqlalchemy import update

        from crm_saas.core.users import User
        from crm_saas.extensions import db

        db.session.execute(update(User).where(User.id == scene["boss"]).values(role="rep"))
        db.session.commit()

    factory._run(tenant, demote)
    with time_machine.travel(MONDAY, tick=True):
        assert run_job(app) == {}
    assert mail_sink.messages == []


def test_switched_off_or_no_mail_server_sends_nothing(app, tenant, factory, scene, mail_sink, monkeypatch):
    assert subscribe(factory, tenant, scene["boss"]) == "ok"
    assert subscribe(factory, tenant, scene["boss"], active=False) == "ok"
    with time_machine.travel(MONDAY, tick=True):
        assert run_job(app) == {}
    assert subscribe(factory, tenant, scene["boss"]) == "ok"
    monkeypatch.setitem(app.config, "CRM_MAIL_URL", "")
    with time_machine.travel(MONDAY, tick=True):
        assert run_job(app) == {}  # and still due once a server is set
    monkeypatch.setitem(app.config, "CRM_MAIL_URL", f"smtp://127.0.0.1:{mail_sink.port}")
    with time_machine.travel(MONDAY + timedelta(hours=1), tick=True):
        assert run_job(app) == {tenant.slug: 1}


def test_the_job_is_scheduled_for_monday_mornings():
    from crm_saas.workers import report_mail
    from crm_saas.workers.scheduler import SCHEDULE

    assert (report_mail.send_weekly_summaries, {"cron": "0 8 * * 1"}) in SCHEDULE
