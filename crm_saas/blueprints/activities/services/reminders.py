"""Email reminders (E2): each due task is emailed to its assignee once, when the company configured SMTP.

Once means: the task row is locked, the message sent, ``reminded_at`` set
and committed, one task at a time. A second run (or a second job running at
the same moment: ``SKIP LOCKED``) finds nothing left to send; a failed send
leaves ``reminded_at`` empty, so the next run tries again. Runs in a tenant
context (the RQ job, the cron command), never on a request.
"""
import logging
import smtplib
import ssl
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from uuid import uuid4

from flask import current_app
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.activities.models import Task, not_binned
from crm_saas.core import outbound
from crm_saas.core.base import utcnow
from crm_saas.core.queue import export_queue, redis_connection
from crm_saas.core.settings import get_setting
from crm_saas.extensions import db
from crm_saas.tenants.binding import current_schema

log = logging.getLogger(__name__)

JOB = "crm_saas.workers.reminders.send_due_reminders"
TEST_JOB = "crm_saas.workers.reminders.send_test_email"


def schedule(due_at):
    """Queue the job for the end of ``due_at``'s minute (RQ's scheduler moves it to the queue then).

    One job per company and minute, run once every task due in that minute
    is due: tasks of the same minute share it, and queuing it again only
    replaces it. It goes on the app's one RQ queue, the one workers listen to.
    """
    schema, minute = current_schema(), int(due_at.timestamp()) // 60
    export_queue().enqueue_at(
        datetime.fromtimestamp((minute + 1) * 60, timezone.utc), JOB, schema, job_id=f"reminders-{schema}-{minute}",
        result_ttl=3600, failure_ttl=86400,
    )


def smtp_configured():
    return bool((get_setting("smtp") or {}).get("host"))


def send_due_reminders_now():
    """Email every open, unreminded task whose time has come; returns how many messages went."""
    smtp = get_setting("smtp") or {}
    if not smtp.get("host"):
        return 0
    due = db.session.scalars(
        select(Task.id).where(Task.done.is_(False), Task.reminded_at.is_(None), Task.due_at <= utcnow(), not_binned())
        .order_by(Task.due_at, Task.id)
    ).all()
    db.session.rollback()  # nothing held while mail goes out
    sent = 0
    with Mailer(smtp) as mailer:
        for task_id in due:
            sent += _remind(task_id, mailer)
    return sent


def _remind(task_id, mailer):
    task = db.session.scalar(
        select(Task).where(Task.id == task_id, Task.done.is_(False), Task.reminded_at.is_(None))
        .options(selectinload(Task.assignee), selectinload(Task.customer))
        .with_for_update(of=Task, skip_locked=True)
    )
    person = task.assignee if task is not None else None
    if person is None or not person.active or not person.email:
        db.session.rollback()  # someone else has it, it is done, or there is nobody to write to
        return 0
    try:
        mailer.send(reminder_message(task, person, mailer.sender))
    except (smtplib.SMTPException, OSError):
        log.warning("reminder for task %s to %s failed; the next run retries", task.id, person.email, exc_info=True)
        db.session.rollback()
        mailer.reset()
        return 0
    task.reminded_at = utcnow()
    db.session.commit()
    return 1


def reminder_message(task, person, sender):
    """The reminder in the assignee's language, times in the company's zone."""
    with force_locale(person.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        message = EmailMessage()
        message["Subject"] = _("Reminder: %(title)s", title=task.title)
        lines = [
            _("Hello %(name)s,", name=person.name), "",
            _("This task is due: %(title)s", title=task.title),
            _("Due: %(when)s", when=format_datetime(task.due_at, "medium")),
        ]
        if task.customer is not None:
            lines.append(_("Customer: %(name)s", name=task.customer.name))
        lines += ["", _("Mark it done on your agenda once it is done.")]
        message.set_content("\n".join(str(line) for line in lines))
    message["From"] = sender
    message["To"] = formataddr((person.name, person.email))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    return message


def trial_message(to, sender):
    message = EmailMessage()
    message["Subject"] = _("Test email from your CRM")
    message["From"], message["To"] = sender, to
    message.set_content(_("Email reminders will be sent with these settings."))
    return message


class Mailer:
    """One SMTP connection for a run, opened on the first message (a run with nothing due opens none)."""

    def __init__(self, smtp):
        self.smtp = smtp
        self.sender = smtp.get("sender") or smtp.get("username") or f"noreply@{current_app.config['CRM_BASE_DOMAIN']}"
        self.connection = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.reset()

    def _connect(self):
        host, port = self.smtp["host"], int(self.smtp.get("port") or 25)
        if port == 465:  # implicit TLS ("SMTPS")
            connection = _GuardedSMTPSSL(host, port, timeout=outbound.timeout(), context=ssl.create_default_context())
        else:
            connection = _GuardedSMTP(host, port, timeout=outbound.timeout())
            if self.smtp.get("tls"):
                connection.starttls(context=ssl.create_default_context())
        if self.smtp.get("username"):
            connection.login(self.smtp["username"], self.smtp.get("password") or "")
        return connection

    def send(self, message):
        if self.connection is None:
            self.connection = self._connect()
        self.connection.send_message(message)

    def reset(self):
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.connection = None


class _GuardedSMTP(smtplib.SMTP):
    """An SMTP client whose connection goes only where a company may connect (core/outbound.py)."""

    def _get_socket(self, host, port, timeout):
        return outbound.connect(host, port, timeout)


class _GuardedSMTPSSL(smtplib.SMTP_SSL):
    def _get_socket(self, host, port, timeout):
        return self.context.wrap_socket(outbound.connect(host, port, timeout), server_hostname=self._host)


# What a failed test tells the admin: the kind of failure, never the network's own words.
TEST_RESULTS = ("sent", "refused_destination", "unreachable", "tls", "auth", "rejected")


def failure_kind(exc):
    if isinstance(exc, outbound.RefusedDestination):
        return "refused_destination"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "auth"
    if isinstance(exc, (ssl.SSLError, smtplib.SMTPNotSupportedError)):
        return "tls"
    if isinstance(exc, smtplib.SMTPException) and not isinstance(exc, smtplib.SMTPServerDisconnected):
        return "rejected"
    return "unreachable"  # refused, timed out, unknown host, cut off


def send_test_email(to):
    """Send the company's stored settings a test message to ``to``; one of ``TEST_RESULTS`` (the worker runs it)."""
    with Mailer(get_setting("smtp") or {}) as mailer:
        try:
            mailer.send(trial_message(to, mailer.sender))
        except (smtplib.SMTPException, OSError) as exc:
            log.info("SMTP test of %s failed: %s", current_schema(), type(exc).__name__)
            return failure_kind(exc)
    return "sent"


def queue_test_email(to):
    """The job that sends the test email, in the worker, never on a request thread; returns its id."""
    job = export_queue().enqueue(TEST_JOB, current_schema(), to, job_id=f"smtp-test-{current_schema()}-{uuid4().hex}",
                                 job_timeout=60, result_ttl=600, failure_ttl=600)
    return job.id


def test_email_result(job_id):
    """``None`` while the job runs, then its result; ``"unreachable"`` for a job that failed or is gone.

    Only this company's jobs are read: another's id is as gone as a made-up one.
    """
    if not job_id.startswith(f"smtp-test-{current_schema()}-"):
        return "unreachable"
    try:
        job = Job.fetch(job_id, connection=redis_connection())
    except NoSuchJobError:
        return "unreachable"
    if job.is_finished:
        return job.return_value() if job.return_value() in TEST_RESULTS else "unreachable"
    return "unreachable" if job.is_failed or job.is_stopped or job.is_canceled else None
