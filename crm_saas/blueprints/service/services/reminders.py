"""Overdue service requests (F1): whom the worker emails about them, once per due time, and what it says.

What "overdue" means is due.py's (``overdue_condition``): still open and
past the resolution due time, or without a first response past the
response due time. The assignee is reminded once per due time, not once
per request: a reminder is owed while ``overdue_reminded_at`` is empty or
earlier than the due time that passed last (the response's, then the
resolution's). So a request late for its response, then for its
resolution, reminds twice; a due time moved later reminds again when it
passes; a second run of the job finds nothing left. As with task reminders
(activities/services/reminders.py), each request is locked (``SKIP
LOCKED``), mailed, marked and committed on its own; a failed send leaves it
unmarked for the next run. The mark is a plain ``UPDATE``: a reminder is
not a change of the request (no new ``updated_at``, no
``service_request.changed`` event for integrations).
"""
import logging
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.activities.services.reminders import Mailer
from crm_saas.blueprints.service.models import ServiceRequest
from crm_saas.blueprints.service.services.codes import OPEN_STATUSES
from crm_saas.blueprints.service.services.due import overdue_condition
from crm_saas.blueprints.service.services.requests import in_use
from crm_saas.blueprints.service.services.visibility import visible_requests
from crm_saas.core.base import utcnow
from crm_saas.core.settings import get_setting
from crm_saas.extensions import db

log = logging.getLogger(__name__)


def resolution_late(now):
    """SQL: open and past the resolution due time (the part of ``overdue_condition`` that names ``due_at``)."""
    return and_(ServiceRequest.status.in_(OPEN_STATUSES), ServiceRequest.due_at < now)


def passed_due(now):
    """SQL: the due time that passed last (the resolution's once it has passed, else the response's)."""
    return case((resolution_late(now), ServiceRequest.due_at), else_=ServiceRequest.response_due_at)


def reminder_due(now):
    """SQL: overdue, assigned, and not yet reminded since the due time that passed last."""
    R = ServiceRequest
    return and_(overdue_condition(now), R.assignee_id.is_not(None),
                or_(R.overdue_reminded_at.is_(None), R.overdue_reminded_at < passed_due(now)))


def due_reminders(now=None):
    """Ids of the requests whose assignee is owed a reminder now, the longest overdue first (none of a customer in
    the recycle bin: out of sight with it)."""
    now = now or utcnow()
    return db.session.scalars(
        in_use().with_only_columns(ServiceRequest.id).where(reminder_due(now))
        .order_by(passed_due(now), ServiceRequest.id)
    ).all()


def overdue_count(user, *, mine=True, now=None):
    """How many overdue requests ``user`` has: assigned to them (``mine``), or all they may see (the queue's badge)."""
    statement = in_use().with_only_columns(func.count()).where(overdue_condition(now))
    if mine:
        return db.session.scalar(statement.where(ServiceRequest.assignee_id == user.id))
    return db.session.scalar(visible_requests(user, statement))


def send_overdue_reminders_now(url_of=None):
    """Email every assignee owed a reminder; returns how many messages went (0 without an SMTP server).

    ``url_of(request_id)``: the request's address on the company's host, for a link in the message (none without).
    """
    smtp = get_setting("smtp") or {}
    if not smtp.get("host"):
        return 0
    now = utcnow()
    due = due_reminders(now)
    db.session.rollback()  # nothing held while mail goes out
    sent = 0
    with Mailer(smtp) as mailer:
        for request_id in due:
            sent += _remind(request_id, now, mailer, url_of)
    return sent


def _remind(request_id, now, mailer, url_of):
    R = ServiceRequest
    found = db.session.execute(
        select(R, passed_due(now), resolution_late(now)).where(R.id == request_id, reminder_due(now))
        .options(selectinload(R.assignee), selectinload(R.customer))
        .with_for_update(of=R, skip_locked=True)
    ).first()
    if found is None:
        db.session.rollback()  # another run has it, or it is no longer owed
        return 0
    item, due_at, late_resolution = found
    person = item.assignee
    if person is None or not person.active or not person.email:
        db.session.rollback()  # nobody to write to: it stays overdue on the queue
        return 0
    link = url_of(item.id) if url_of else None
    try:
        mailer.send(overdue_message(item, person, mailer.sender, due_at=due_at, resolution=late_resolution, link=link))
    except (smtplib.SMTPException, OSError):
        log.warning("overdue reminder for service request %s to %s failed; the next run retries", item.id,
                    person.email, exc_info=True)
        db.session.rollback()
        mailer.reset()
        return 0
    db.session.execute(update(R).where(R.id == item.id)
                       .values(overdue_reminded_at=utcnow(), updated_at=R.updated_at))  # keeps updated_at as it was
    db.session.commit()
    return 1


def overdue_message(item, person, sender, *, due_at, resolution, link=None):
    """The reminder in the assignee's language (as task reminders), times in the company's zone."""
    with force_locale(person.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        message = EmailMessage()
        message["Subject"] = _("Overdue: %(number)s %(title)s", number=item.number, title=item.subject or "").strip()
        lines = [
            _("Hello %(name)s,", name=person.name), "",
            _("This service request assigned to you is overdue: %(number)s", number=item.number),
        ]
        if item.subject:
            lines.append(item.subject)
        if resolution:
            lines.append(_("Resolution was due: %(when)s", when=format_datetime(due_at, "medium")))
        else:
            lines.append(_("First response was due: %(when)s", when=format_datetime(due_at, "medium")))
        if item.customer is not None:
            lines.append(_("Customer: %(name)s", name=item.customer.name))
        if link:
            lines += ["", link]
        message.set_content("\n".join(str(line) for line in lines))
    message["From"] = sender
    message["To"] = formataddr((person.name, person.email))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    return message
