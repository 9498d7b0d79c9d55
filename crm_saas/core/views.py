"""What every feature's views share: a hidden record is a 404; a redirect never leaves this host."""
import re
from urllib.parse import urlsplit

from flask import abort, render_template

from crm_saas.core.htmx import is_htmx
from crm_saas.core.throttle import retry_after
from crm_saas.tenants.resolve import UPGRADE_RETRY_AFTER, TenantUpgrading

# Browsers drop these anywhere in a URL before reading it: "/\t/evil.example" is "//evil.example".
_DROPPED = re.compile(r"[\x00-\x1f\x7f]")


def found_or_404(record):
    """``record``, or a 404 when the lookup (always through the visibility rule) found nothing."""
    if record is None:
        abort(404)
    return record


def safe_next(target, fallback="/"):
    """``target`` if it is a path on this host (where to go back to after a form), else ``fallback``.

    Read the way a browser reads it: control characters dropped, a
    backslash taken for a slash; anything with a scheme or a host, or that
    starts with ``//`` (another host, same scheme), goes to ``fallback``.
    """
    if not isinstance(target, str):
        return fallback
    path = _DROPPED.sub("", target).strip().replace("\\", "/")
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not path.startswith("/") or path.startswith("//"):
        return fallback
    return path


def error_page(error):
    """What a page request gets for an HTTP error: a page in the reader's language where there is one.

    A 429 (core/throttle.py) says to wait, and for how long (whole minutes,
    from Retry-After); a company whose schema is behind (tenants/resolve.py)
    says it is being upgraded; other errors keep Werkzeug's page until the
    app shell gives every error a page of its own.
    """
    if isinstance(error, TenantUpgrading):
        page = render_template("errors/upgrading.html", company=error.tenant_name, retry_after=UPGRADE_RETRY_AFTER)
        # A fragment request (a poll, a form) reloads the whole page, which is then this one, not a piece of it.
        refresh = {"HX-Refresh": "true"} if is_htmx() else {}
        return page, 503, {"Retry-After": str(UPGRADE_RETRY_AFTER), **refresh}
    if error.code != 429:
        return error
    seconds = retry_after()
    return render_template("errors/too_many.html", retry_after=-(-seconds // 60) if seconds else None), 429
