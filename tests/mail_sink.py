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
