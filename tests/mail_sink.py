"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it accepts: mail tests never mock the sending."""
import socket
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class Sink:
    """Collects every message the server accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_sink():
    """``(sink, stop)``: a running server, its port on ``sink.port``."""
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.port = controller.port
    return sink, controller.stop


MAIL_JOBS = ("crm_saas.workers.mail.send_platform_mail", "crm_saas.workers.mail.send_company_links")


def run_mail_jobs(app):
    """Run the queued platform mail jobs in this process, as a worker would; how many ran."""
    import crm_saas.workers.context
    from crm_saas.core.queue import export_queue
    from crm_saas.workers.context import set_app

    previous, ran = crm_saas.workers.context._app, 0
    set_app(app)
    try:
        with app.app_context():
            queue = export_queue()
            for job in queue.jobs:
                if job.func_name in MAIL_JOBS:
                    queue.remove(job)
                    job.perform()
                    ran += 1
    finally:
        set_app(previous)
    return ran


def set_email(factory, tenant, username, email, locale=None):
    """Give ``username`` of ``tenant`` an email address (and a language) to be written to."""
    from sqlalchemy import update

    from crm_saas.core.users import User
    from crm_saas.extensions import db

    def change():
        db.session.execute(update(User).where(User.username == username).values(email=email, locale=locale))
        db.session.commit()

    factory._run(tenant, change)
