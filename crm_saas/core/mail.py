"""The platform's own mail: what the operator's server sends for the product (password-reset links).

A company's own mail (task reminders) goes through the SMTP server that
company configured (activities); this is the operator's, set once for all
companies by ``CRM_MAIL_URL``: ``smtp://user:password@host:587`` (STARTTLS
when the server offers it) or ``smtps://user:password@host:465``. Requests
never send: they queue ``crm_saas.workers.mail.send_platform_mail`` (``queue``
below), so an answer takes as long whether or not a message goes out.
"""
import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import current_app
from rq import Retry

from crm_saas.core.queue import export_queue

JOB = "crm_saas.workers.mail.send_platform_mail"
COMPANY_LINKS_JOB = "crm_saas.workers.mail.send_company_links"


def configured():
    return bool(current_app.config["CRM_MAIL_URL"])


def sender():
    return current_app.config["CRM_MAIL_SENDER"] or f"noreply@{current_app.config['CRM_BASE_DOMAIN']}"


def queue(to, subject, body):
    """Queue one message for a worker to send (raises ``redis`` errors when the queue is down)."""
    export_queue().enqueue(JOB, to, subject, body, result_ttl=600, failure_ttl=86400,
                           retry=Retry(max=3, interval=[10, 60, 300]))  # a mail server's hiccup is no failure


def queue_company_links(email, login_url, locale):
    """Queue the "find my company" answer for ``email`` (looked up and sent by a worker)."""
    export_queue().enqueue(COMPANY_LINKS_JOB, email, login_url, locale, result_ttl=600, failure_ttl=86400,
                           retry=Retry(max=3, interval=[10, 60, 300]))


def send(to, subject, body):
    """Send one plain-text message through ``CRM_MAIL_URL`` now (the worker's half of ``queue``)."""
    url = urlsplit(current_app.config["CRM_MAIL_URL"])
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender(), to, subject
    message.set_content(body)
    timeout = current_app.config["CRM_OUTBOUND_TIMEOUT"]
    if url.scheme == "smtps":
        connection = smtplib.SMTP_SSL(url.hostname, url.port or 465, timeout=timeout,
                                      context=ssl.create_default_context())
    else:
        connection = smtplib.SMTP(url.hostname, url.port or 25, timeout=timeout)
    with connection:
        if url.scheme == "smtp":
            connection.ehlo()
            if connection.has_extn("starttls"):
                connection.starttls(context=ssl.create_default_context())
        if url.username:
            connection.login(unquote(url.username), unquote(url.password or ""))
        connection.send_message(message)
