"""A real HTTP receiver on 127.0.0.1, endpoints made through the service, and the worker's jobs run here.

Webhook tests never mock the sending: the worker posts to ``Receiver``, a
``ThreadingHTTPServer`` that answers with the statuses it was given (then
200) and keeps every request it got.
"""
import hashlib
import hmac
import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """``statuses``: the answers to the first requests, in order; every later one gets 200."""

    def __init__(self, statuses=(), tls=None):
        self.statuses = list(statuses)
        self.requests = []  # (status answered, headers, body bytes)
        self.paths = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.requests.append((status, dict(self.headers), body))
                    receiver.paths.append(self.path)
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.scheme, self.host = "http", "127.0.0.1"
        if tls is not None:  # an ssl.SSLContext with the server's certificate, for a name resolving to 127.0.0.1
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
            self.scheme, self.host = "https", "localhost"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"{self.scheme}://{self.host}:{self.server.server_address[1]}/hooks?source=crm"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def accepted(self):
        """The bodies (parsed) the receiver answered 2xx, in arrival order."""
        return [json.loads(body) for status, _headers, body in self.requests if 200 <= status < 300]


@contextmanager
def receiving(statuses=(), tls=None):
    receiver = Receiver(statuses, tls)
    try:
        yield receiver
    finally:
        receiver.stop()


def verify(secret, headers, body):
    """What a receiver does: recompute the signature from the timestamp header and the raw body."""
    expected = hmac.new(secret.encode(), headers["X-CRM-Timestamp"].encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest(headers["X-CRM-Signature"], "sha256=" + expected.hexdigest())


def allow_private(factory, tenant, allowed=True):
    """The company setting that lets webhooks reach 127.0.0.1 (the receiver)."""
    from tests.api_client import change_setting

    change_setting(factory, tenant, "webhook_allow_private", lambda _old: allowed)


def add_endpoint(factory, tenant, url, events=None, secret=None):
    """``(endpoint id, secret)``: registered through the service, as the admin's form does."""
    from sqlalchemy import select

    from crm_saas.blueprints.webhooks.services.endpoints import create_endpoint
    from crm_saas.core.outbox import EVENTS
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    def make():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        data = {"url": url, "events": list(events or EVENTS), **({"secret": secret} if secret else {})}
        endpoint, made = create_endpoint(data, actor=admin)
        return endpoint.id, made

    return factory._run(tenant, make)


def in_tenant(factory, tenant, fn):
    return factory._run(tenant, fn)


@contextmanager
def worker_app(app):
    """The worker's app while a job runs here (workers/context.py), as ``crm-saas worker`` sets it."""
    import crm_saas.workers.context
    from crm_saas.workers.context import set_app

    previous = crm_saas.workers.context._app
    set_app(app)
    try:
        yield
    finally:
        set_app(previous)


def run_worker(app, tenant):
    """The company's delivery job, run in this process exactly as the worker runs it."""
    from crm_saas.workers.webhooks import deliver_company

    with worker_app(app):
        return deliver_company(tenant.schema_name)


def run_sweep(app):
    """The scheduler's minute sweep over every open company."""
    from crm_saas.workers.webhooks import sweep_webhooks

    with worker_app(app):
        return sweep_webhooks()


def endpoint_state(factory, tenant, endpoint_id):
    from crm_saas.blueprints.webhooks.models import WebhookEndpoint
    from crm_saas.extensions import db

    def read():
        e = db.session.get(WebhookEndpoint, endpoint_id)
        return {"active": e.active, "failures": e.failures, "disabled_reason": e.disabled_reason}

    return factory._run(tenant, read)


def outbox_rows(factory, tenant):
    """``[(event, record_type, record_id, dispatched)]`` in id order."""
    from sqlalchemy import select

    from crm_saas.core.outbox import OutboxEvent
    from crm_saas.extensions import db

    def read():
        rows = db.session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)).all()
        return [(r.event, r.record_type, r.record_id, r.dispatched_at is not None) for r in rows]

    return factory._run(tenant, read)


def self_signed(directory):
    """``(server context, certificate path)``: a certificate for ``localhost``, signed by itself."""
    import datetime
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context, cert_path
