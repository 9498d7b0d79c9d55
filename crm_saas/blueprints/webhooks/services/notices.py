"""Telling a company's admins that an endpoint was turned off after failing again and again.

The webhooks page shows it as a banner; this emails each active admin with an
address, in their language, through the company's own mail server when it
configured one (as reminders do), else the platform's (core/mail.py), else
not at all: the banner still tells them. A mail server's trouble is logged,
never raised: the endpoint is off either way.
"""
import logging
import smtplib
from email.message import EmailMessage
from email.utils import formataddr

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from crm_saas.blueprints.activities.services.reminders import Mailer
from crm_saas.core import mail
from crm_saas.core.settings import get_setting
from crm_saas.core.users import User
from crm_saas.extensions import db

log = logging.getLogger(__name__)


def _admins():
    return db.session.scalars(select(User).where(User.role == "admin", User.active.is_(True),
                                                 User.email.is_not(None), User.email != "").order_by(User.id)).all()


def message_for(person, endpoint, link):
    """``(subject, body)`` in ``person``'s language."""
    with force_locale(person.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("A webhook was turned off: %(url)s", url=endpoint.url)
        lines = [
            _("Hello %(name)s,", name=person.name), "",
            _("Events could not be delivered to %(url)s: it failed %(count)d times in a row, so it has been "
              "turned off and receives no new events.", url=endpoint.url, count=endpoint.failures),
            _("Fix the receiver, then turn the endpoint on again on the webhooks page; events still waiting for "
              "it are delivered then."),
        ]
        if link:
            lines += ["", link]
    return str(subject), "\n".join(str(line) for line in lines)


def tell_admins(endpoint, link=""):
    """Email the company's admins that ``endpoint`` was turned off; how many messages went."""
    people = _admins()
    smtp = get_setting("smtp") or {}
    if not people or not (smtp.get("host") or mail.configured()):
        return 0
    sent = 0
    if smtp.get("host"):
        with Mailer(smtp) as mailer:
            for person in people:
                subject, body = message_for(person, endpoint, link)
                message = EmailMessage()
                message["Subject"], message["From"] = subject, mailer.sender
                message["To"] = formataddr((person.name, person.email))
                message.set_content(body)
                went = _sent(lambda m=message: mailer.send(m), person)
                if not went:
                    mailer.reset()  # a broken connection is opened afresh for the next admin
                sent += went
        return sent
    for person in people:
        subject, body = message_for(person, endpoint, link)
        sent += _sent(lambda p=person, s=subject, b=body: mail.send(p.email, s, b), person)
    return sent


def _sent(send, person):
    try:
        send()
    except (smtplib.SMTPException, OSError):
        log.warning("could not tell %s that a webhook was turned off", person.email, exc_info=True)
        return 0
    return 1
