"""Connections a company configures itself (its SMTP server now, webhooks later) reach the internet only.

A tenant admin typed ``127.0.0.1:1`` as their mail server and the "test"
button told them, by "connection refused" or a 20 s timeout, what listens
inside our network. Every such connection resolves the host here, refuses
loopback, private, link-local (the cloud metadata address among them),
shared, reserved and multicast addresses unless the platform allows them
(``CRM_OUTBOUND_ALLOW_PRIVATE``, for a mail relay of our own and for tests),
connects to the very address it checked (a name that resolves again to
something else meanwhile gains nothing), and gives up after
``CRM_OUTBOUND_TIMEOUT`` seconds. Callers report failures by kind, never
with the network's own words.
"""
import ipaddress
import socket

from flask import current_app


class RefusedDestination(OSError):
    """The host resolves to an address companies may not reach."""


def timeout():
    return float(current_app.config["CRM_OUTBOUND_TIMEOUT"])


def _reachable(address):
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def checked_addresses(host, port):
    """``[(family, sockaddr)]`` of ``host``, each one a company may reach; raises ``RefusedDestination``."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found = [(family, sockaddr) for family, _type, _proto, _name, sockaddr in infos]
    if not current_app.config["CRM_OUTBOUND_ALLOW_PRIVATE"] and not all(_reachable(s[0]) for _f, s in found):
        raise RefusedDestination(host)
    return found


def connect(host, port, connect_timeout=None):
    """A TCP connection to ``host``:``port`` through the checked addresses, the first that answers."""
    return connect_first(checked_addresses(host, port), connect_timeout or timeout(), host)


def connect_first(found, seconds, name="address"):
    """A TCP connection to the first of ``found`` (``[(family, sockaddr)]``, already checked) that answers."""
    error = None
    for family, sockaddr in found:
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(seconds)
        try:
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error or OSError(name)
