"""One POST of one event to one endpoint: signed, sent to the address just checked, no redirect followed.

The standard library's http.client, told to connect to the checked address
(addresses.py) while the Host header and the TLS name (SNI, certificate
check) stay the URL's host. A redirect is an answer like any other non-2xx:
a failed attempt, never followed (it could point inside our network). Only
the status and the time are kept; at most ``KEEP`` bytes of the answer are
read, then the connection is closed. Failures are recorded by kind
(``ERRORS``), never in the network's own words (core/outbound.py).
"""
import hashlib
import hmac
import http.client
import json
import socket
import ssl
import time
from dataclasses import dataclass

from crm_saas.blueprints.webhooks.services.addresses import BadUrl, addresses, parse
from crm_saas.core import outbound

USER_AGENT = "crm-saas-webhooks"
KEEP = 2048
# What an attempt that got no usable answer records as its error.
ERRORS = ("bad_url", "refused_destination", "unresolved", "unreachable", "timeout", "tls", "bad_response")


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    response_ms: int
    error: str | None = None

    @property
    def ok(self):
        return self.error is None and self.status_code is not None and 200 <= self.status_code < 300


def body_of(event, occurred_at, data):
    """The request body API.md names: ``{"event", "occurred_at", "data"}`` as compact UTF-8 JSON."""
    payload = {"event": event, "occurred_at": occurred_at, "data": data}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def signature(secret, timestamp, body):
    """``sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`` keyed with the endpoint's secret."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def headers_for(event, delivery_id, secret, timestamp, body):
    return {
        "Content-Type": "application/json", "User-Agent": USER_AGENT, "X-CRM-Event": event,
        "X-CRM-Timestamp": str(timestamp), "X-CRM-Signature": signature(secret, timestamp, body),
        "X-CRM-Delivery": str(delivery_id),
    }


class _Connection(http.client.HTTPConnection):
    def __init__(self, target, found, timeout):
        super().__init__(target.host, target.port, timeout=timeout)
        self._found = found

    def connect(self):
        self.sock = outbound.connect_first(self._found, self.timeout)


class _TLSConnection(http.client.HTTPSConnection):
    def __init__(self, target, found, timeout):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._found = found

    def connect(self):
        sock = outbound.connect_first(self._found, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _kind(exc):
    if isinstance(exc, BadUrl):
        return "bad_url"
    if isinstance(exc, outbound.RefusedDestination):
        return "refused_destination"
    if isinstance(exc, (socket.gaierror, UnicodeError)):
        return "unresolved"
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return "tls"
    if isinstance(exc, http.client.HTTPException):
        return "bad_response"
    return "unreachable"


def post(url, body, headers, *, allow_private, timeout):
    """POST ``body`` to ``url``; an ``Outcome`` whatever happens (nothing raised for the network's troubles)."""
    started = time.perf_counter()
    connection = None
    try:
        target = parse(url)
        found = addresses(target, allow_private=allow_private)
        kind = _TLSConnection if target.scheme == "https" else _Connection
        connection = kind(target, found, timeout)
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(KEEP)
        status = response.status
    except (OSError, ValueError, http.client.HTTPException) as exc:
        return Outcome(None, _ms(started), _kind(exc))
    finally:
        if connection is not None:
            connection.close()
    return Outcome(status, _ms(started))


def _ms(started):
    return round((time.perf_counter() - started) * 1000)
