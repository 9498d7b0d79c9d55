"""The platform's mail job (core/mail.py): a password-reset link, written in the request, sent here."""
from crm_saas.core import mail
from crm_saas.workers.context import get_app


def send_platform_mail(to, subject, body):
    with get_app().app_context():
        mail.send(to, subject, body)
