"""Email reminders (E2) against a real SMTP server on 127.0.0.1 (aiosmtpd), never a mock."""
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.api_client import change_setting
from tests.mail_sink import free_port, start_sink


@pytest.fixture
def smtp_sink(app, monkeypatch):
    """A real SMTP server on 127.0.0.1: the platform allows its companies to reach it, as it would its own relay."""
    monkeypatch.setitem(app.config, "CRM_OUTBOUND_ALLOW_PRIVATE", True)
    sink, stop = start_sink()
    yield sink
    stop()


def use_smtp(factory, tenant, port, **extra):
    server = {"host": "127.0.0.1", "port": port, "tls": False, "sender": "crm@example.com", **extra}
    change_setting(factory, tenant, "smtp", lambda v: {**v, **server})


def person(factory, tenant, username, email=None, locale=None):
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    user_id = factory.user(tenant, username, superior_id=factory.admin_id(tenant))

    def set_email():
        user = db.session.get(User, user_id)
        user.email, user.locale = email, locale
        db.session.commit()

    factory._run(tenant, set_email)
    return user_id


def add_task(factory, tenant, assignee_id, title, due_in, **extra):
    from crm_saas.blueprints.activities.models import Task
    from crm_saas.core.base import utcnow
    from crm_saas.extensions import db

    def make():
        task = Task(title=title, due_at=utcnow() + due_in, assignee_id=assignee_id, **extra)
        db.session.add(task)
        db.session.commit()
        return task.id

    return factory._run(tenant, make)


def reminded_at(factory, tenant, task_id):
    from crm_saas.blueprints.activities.models import Task
    from crm_saas.extensions import db

    return factory._run(tenant, lambda: db.session.get(Task, task_id).reminded_at)


def run_job(app, tenant):
    """The RQ job's function, run in this process (as tests/api/conftest.run_export_here does)."""
    import crm_saas.workers.context
    from crm_saas.workers.context import set_app
    from crm_saas.workers.reminders import send_due_reminders

    previous = crm_saas.workers.context._app
    set_app(app)
    try:
        return send_due_reminders(tenant.schema_name)
    finally:
        set_app(previous)


def test_a_due_reminder_is_sent_once(app, tenant, factory, smtp_sink):
    use_smtp(factory, tenant, smtp_sink.port)
    rep = person(factory, tenant, "rep", email="rep@example.com", locale="en")
    customer = factory.customer(tenant, rep, name="远航贸易")
    due = add_task(factory, tenant, rep, "给远航贸易回电话", -timedelta(minutes=5), customer_id=customer)
    later = add_task(factory, tenant, rep, "下周的事", timedelta(days=7))
    add_task(factory, tenant, rep, "已经做完", -timedelta(hours=1), done=True)

    assert run_job(app, tenant) == 1
    [(recipients, message)] = smtp_sink.messages
    assert recipients == ["rep@example.com"]
    assert message["Subject"] == "Reminder: 给远航贸易回电话"
    assert message["From"] == "crm@example.com" and "rep@example.com" in message["To"]
    body = message.get_content()
    assert "给远航贸易回电话" in body and "远航贸易" in body and "Rep" in body
    assert reminded_at(factory, tenant, due) is not None and reminded_at(factory, tenant, later) is None

    assert run_job(app, tenant) == 0  # run again: nothing twice
    assert len(smtp_sink.messages) == 1


def test_people_without_email_and_companies_without_smtp_get_nothing(app, tenant, make_tenant, factory, smtp_sink):
    use_smtp(factory, tenant, smtp_sink.port)
    no_email = person(factory, tenant, "quiet")
    task = add_task(factory, tenant, no_email, "无人可寄", -timedelta(minutes=1))
    assert run_job(app, tenant) == 0 and reminded_at(factory, tenant, task) is None

    other = make_tenant()  # SMTP left at the defaults: no host
    someone = person(factory, other, "rep", email="rep@example.com")
    add_task(factory, other, someone, "没有邮件服务器", -timedelta(minutes=1))
    assert run_job(app, other) == 0
    assert smtp_sink.messages == []


def test_a_failed_send_is_retried_on_the_next_run(app, tenant, factory, smtp_sink):
    rep = person(factory, tenant, "rep", email="rep@example.com")
    task = add_task(factory, tenant, rep, "重试的提醒", -timedelta(minutes=1))
    use_smtp(factory, tenant, free_port())  # nobody listens there
    assert run_job(app, tenant) == 0 and reminded_at(factory, tenant, task) is None
    use_smtp(factory, tenant, smtp_sink.port)
    assert run_job(app, tenant) == 1 and len(smtp_sink.messages) == 1


def test_moving_a_task_reminds_it_again_and_queues_the_job(app, tenant, factory, admin_client, smtp_sink):
    from crm_saas.blueprints.activities.models import Task
    from crm_saas.core.queue import export_queue
    from crm_saas.extensions import db
    from tests.api_client import get_token

    use_smtp(factory, tenant, smtp_sink.port)
    rep = person(factory, tenant, "rep", email="rep@example.com")
    task = add_task(factory, tenant, rep, "要挪的任务", -timedelta(minutes=1))
    assert run_job(app, tenant) == 1

    headers = {"Authorization": f"Bearer {get_token(admin_client, 'admin', tenant.admin_password)}"}
    due = factory._run(tenant, lambda: (db.session.get(Task, task).due_at + timedelta(hours=3)).isoformat())
    moved = admin_client.patch(f"/api/v1/tasks/{task}", json={"due_at": due}, headers=headers)
    assert moved.status_code == 200, moved.get_json()
    assert reminded_at(factory, tenant, task) is None  # the new time gets its own reminder
    with app.app_context():
        queue = export_queue()
        scheduled = [job_id for job_id in queue.scheduled_job_registry.get_job_ids()
                     if job_id.startswith(f"reminders-{tenant.schema_name}-")]
        assert scheduled  # queued for the new due time, for the worker's scheduler
        for job_id in scheduled:
            queue.scheduled_job_registry.remove(job_id, delete_job=True)


def test_the_cron_command_sends_for_every_company(app, tenant, factory, smtp_sink):
    use_smtp(factory, tenant, smtp_sink.port)
    rep = person(factory, tenant, "rep", email="rep@example.com")
    add_task(factory, tenant, rep, "cron 提醒", -timedelta(minutes=1))
    env = dict(os.environ, DATABASE_URL=app.config["DATABASE_URL"], REDIS_URL=app.config["REDIS_URL"],
               CRM_OUTBOUND_ALLOW_PRIVATE="1",
               SECRET_KEY="cron-test")
    run = subprocess.run([sys.executable, "-m", "crm_saas.cli", "send-reminders"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"{tenant.slug}: 1 reminder(s) sent" in run.stdout
    assert [m["Subject"] for _to, m in smtp_sink.messages] == ["提醒：cron 提醒"]  # no language chosen: the default, Chinese


def test_smtp_settings_keep_the_password_out_of_the_page_and_the_log(app, tenant, factory, admin_client, smtp_sink,
                                                                     monkeypatch):
    monkeypatch.setitem(app.config, "CRM_EXPORT_QUEUE", f"{app.config['CRM_EXPORT_QUEUE']}-smtp-test")  # its own queue
    from crm_saas.core.audit import OperationLog
    from crm_saas.core.settings import get_setting
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    form = {"host": "127.0.0.1", "port": smtp_sink.port, "username": "", "password": "s3cret-pw",
            "sender": "crm@example.com", "action": "save"}
    saved = admin_client.post("/settings/smtp", data=form, headers={"HX-Request": "true"})
    assert saved.status_code == 200 and "Settings saved" in saved.text
    assert "s3cret-pw" not in saved.text and "s3cret-pw" not in admin_client.get("/settings/").text
    assert factory._run(tenant, lambda: get_setting("smtp"))["password"] == "s3cret-pw"  # the app reads it back
    assert "s3cret-pw" not in stored_row(factory, tenant)  # ... but it is not stored as typed (issue 11.9)
    again = admin_client.post("/settings/smtp", data={**form, "password": "", "sender": "new@example.com"})
    assert again.status_code == 200
    stored = factory._run(tenant, lambda: get_setting("smtp"))
    assert (stored["password"], stored["sender"], stored["tls"]) == ("s3cret-pw", "new@example.com", False)
    logged = factory._run(tenant, lambda: [e.details for e in db.session.scalars(
        select(OperationLog).where(OperationLog.action == "setting_changed"))])
    assert len(logged) == 2 and "s3cret-pw" not in str(logged)
    bad = admin_client.post("/settings/smtp", data={**form, "port": "99999", "sender": "nope"},
                            headers={"HX-Request": "true"})
    assert bad.status_code == 422 and 'id="port-error"' in bad.text and 'id="sender-error"' in bad.text

    def give_email():
        db.session.scalar(select(User).where(User.username == "admin")).email = "boss@example.com"
        db.session.commit()

    factory._run(tenant, give_email)
    tested = admin_client.post("/settings/smtp", data={**form, "password": "", "action": "test"},
                               headers={"HX-Request": "true"})
    assert "Sending a test email" in tested.text and smtp_sink.messages == []  # the worker sends it, not the request
    result = run_test_job(app, tested.text, admin_client)
    assert "A test email was sent to boss@example.com" in result
    assert [to for to, _m in smtp_sink.messages] == [["boss@example.com"]]


def stored_row(factory, tenant):
    """The smtp setting as the database holds it."""
    from sqlalchemy import text

    from crm_saas.extensions import db

    return factory._run(tenant, lambda: db.session.execute(
        text(f"SELECT value::text FROM {tenant.schema_name}.settings WHERE key = 'smtp'")).scalar())


def run_test_job(app, page, client):
    """Let a real RQ worker (in this process) run the queued test-email job, then read the page's answer."""
    import re

    from rq import SimpleWorker

    import crm_saas.workers.context
    from crm_saas.core.queue import export_queue

    poll = re.search(r'hx-get="(/settings/smtp/tests/[^"]+)"', page)
    assert poll, page
    assert "Sending a test email" in client.get(poll.group(1)).text  # nothing has run yet
    previous = crm_saas.workers.context._app
    crm_saas.workers.context.set_app(app)
    try:
        with app.app_context():
            queue = export_queue()
            SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=False)
    finally:
        crm_saas.workers.context.set_app(previous)
    return client.get(poll.group(1)).text
