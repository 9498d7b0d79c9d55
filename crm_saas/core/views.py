"""What every feature's views share: a hidden record is a 404; a redirect never leaves this host; error pages."""
import re
from urllib.parse import urlsplit

from flask import Response, abort, current_app, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape

from crm_saas.core.htmx import is_htmx
from crm_saas.core.throttle import retry_after
from crm_saas.extensions import db
from crm_saas.tenants.resolve import (
    UPGRADE_RETRY_AFTER,
    CompanyClosed,
    CompanyNotFound,
    TenantUpgrading,
    platform_url,
)

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


# What each error page says, beside its code; codes not listed say Werkzeug's name for them.
ERROR_PAGES = {
    400: (_l("The request could not be understood"), _l("Something in the request was not as expected. Go back, "
                                                        "reload the page and try again.")),
    403: (_l("Not allowed"), _l("Your role does not allow this. Ask your company's administrator if you need it.")),
    404: (_l("Page not found"), _l("This page does not exist, or it is not one you may see.")),
    405: (_l("Not possible this way"), _l("This address does not take that kind of request. Use the buttons and "
                                         "links of the pages.")),
    413: (_l("Too large"), _l("What was sent is larger than allowed. Send a smaller file or less at once.")),
    500: (_l("Something went wrong"), _l("Something went wrong on our side, and it has been logged. Please try "
                                        "again in a moment.")),
}
CSRF_EXPIRED = _l("The form had expired (it was open too long, or you signed in again elsewhere). Reload the page "
                  "and send it again.")


def error_page(error):
    """What a page request gets for an HTTP error: a page of the app, in the reader's language, with a way on.

    A 429 (core/throttle.py) says to wait, and for how long (whole minutes,
    from Retry-After); a company whose schema is behind (tenants/resolve.py)
    says it is being upgraded; a host no open company answers to says so and
    links to the platform site. An htmx request (a fragment: a poll, a form
    posted in place) is answered with the message alone, as text, which
    app.js shows as a toast instead of swapping an error page into a piece of
    another page.
    """
    if isinstance(error, TenantUpgrading):
        page = render_template("errors/upgrading.html", company=error.tenant_name, retry_after=UPGRADE_RETRY_AFTER)
        # A fragment request (a poll, a form) reloads the whole page, which is then this one, not a piece of it.
        refresh = {"HX-Refresh": "true"} if is_htmx() else {}
        return page, 503, {"Retry-After": str(UPGRADE_RETRY_AFTER), **refresh}
    if isinstance(error, CompanyClosed):
        # Waiting for approval, expired or suspended: what happened, and whom to call (tenants/resolve.py).
        page = render_template("errors/company_closed.html", error=error, platform=platform_url())
        return page, error.code, ({"HX-Refresh": "true"} if is_htmx() else {})
    code = error.code or 500
    headers = {name: value for name, value in error.get_headers() if name.lower() == "allow"}
    if code == 429:
        seconds = retry_after()
        minutes = -(-seconds // 60) if seconds else None
        if is_htmx():
            return _toast(_("Too many attempts from here: wait a while and try again.")), 429
        return render_template("errors/too_many.html", retry_after=minutes), 429
    title, message = ERROR_PAGES.get(code, (error.name, error.description))
    if isinstance(error, CSRFError):
        message = CSRF_EXPIRED
    if is_htmx():
        return _toast(message), code, headers
    if isinstance(error, CompanyNotFound):
        return render_template("errors/company_not_found.html", platform=platform_url()), 404
    try:
        if code >= 500:
            db.session.rollback()  # the failed request's transaction, if any, must not fail the page too
        return render_template("errors/error.html", code=code, title=title, message=message), code, headers
    except Exception:  # the shell itself failed (its database, say): a plain page rather than none
        current_app.logger.exception("the error page could not be rendered")
        return f"<!doctype html><title>{code}</title><h1>{code}</h1><p>{escape(str(message))}</p>", code, headers


def _toast(message):
    """The body of an htmx error answer: the message only, which app.js puts in a toast."""
    return Response(str(message), mimetype="text/plain")
