"""Where a webhook may point (SSRF): http(s) only, and to public addresses unless the company allows private ones.

An admin who typed ``http://169.254.169.254/...`` or ``http://127.0.0.1:6379``
would otherwise have our worker call inside our network for them. The rule
is core/outbound.py's (loopback, private, link-local, reserved ... refused;
the platform's ``CRM_OUTBOUND_ALLOW_PRIVATE`` lifts it for everyone), plus the
company setting ``webhook_allow_private`` for an on-premise receiver, which
opens private and loopback addresses but never link-local ones (the cloud
metadata address, 169.254.169.254), multicast or unspecified. It is
checked when an endpoint is saved, so the admin hears why at once, and again
at every delivery (a name may resolve elsewhere by then): the delivery
connects to the very address checked (sending.py).
"""
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import gettext as _

from crm_saas.core import outbound
from crm_saas.core.settings import get_setting

PORTS = {"http": 80, "https": 443}
URL_MAX = 500


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # ASCII (IDNA) form, as the Host header and TLS name carry it
    port: int
    path: str  # path and query, what the request line asks for


class BadUrl(ValueError):
    """The text is not an http(s) address a webhook can use; ``str(err)`` says why, in the reader's language."""


def private_allowed():
    return bool(get_setting("webhook_allow_private"))


def parse(url):
    """``url`` as a ``Target``; ``BadUrl`` for anything but a plain http(s) address."""
    if not isinstance(url, str) or not url.strip():
        raise BadUrl(_("Enter the address that receives the events."))
    url = url.strip()
    if len(url) > URL_MAX:
        raise BadUrl(_("At most %(max)d characters.", max=URL_MAX))
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise BadUrl(_("An address has no spaces or control characters."))
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in PORTS:
        raise BadUrl(_("Only http:// and https:// addresses can receive webhooks."))
    if parts.username is not None or parts.password is not None:
        raise BadUrl(_("Leave the user name and password out of the address: the signature proves who sent it."))
    try:
        host, port = parts.hostname, parts.port
        host = host.encode("idna").decode("ascii") if host else ""
    except (ValueError, UnicodeError):
        raise BadUrl(_("Enter a full address, such as https://example.com/hooks.")) from None
    if not host:
        raise BadUrl(_("Enter a full address, such as https://example.com/hooks."))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme, host, port or PORTS[scheme], path)


def _private_ok(address):
    """An address the company setting opens: anything but link-local, multicast and unspecified ones."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (ip.is_link_local or ip.is_multicast or ip.is_unspecified)


def addresses(target, *, allow_private):
    """``[(family, sockaddr)]`` to connect to; ``outbound.RefusedDestination`` when the host resolves to an
    address the company may not reach, ``socket.gaierror`` when it does not resolve."""
    if not allow_private:
        return outbound.checked_addresses(target.host, target.port)
    infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    found = [(family, sockaddr) for family, _type, _proto, _name, sockaddr in infos]
    if not all(_private_ok(sockaddr[0]) for _family, sockaddr in found):
        return outbound.checked_addresses(target.host, target.port)  # refused unless the platform allows it
    return found


def url_problem(url, *, allow_private=None):
    """Why ``url`` cannot receive this company's webhooks (a message), or None."""
    try:
        target = parse(url)
        addresses(target, allow_private=private_allowed() if allow_private is None else allow_private)
    except BadUrl as err:
        return str(err)
    except outbound.RefusedDestination:
        return _("This address is on a private or local network. Only an administrator may allow private "
                 "addresses (for a receiver inside your own network).")
    except (socket.gaierror, UnicodeError):
        return _("This host cannot be found.")
    return None
