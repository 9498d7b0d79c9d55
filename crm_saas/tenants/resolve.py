"""Find the tenant from the request's host, before any tenant code runs.

``acme.<CRM_BASE_DOMAIN>`` (or any other domain recorded for a tenant) is a
tenant host, served while the company is open (trial or active, before its
end date: read from the row this lookup brings, nothing more); a company
waiting for approval, expired or suspended answers a page that says so and
whom to call (the API: 402 or 403 with a ``code``), a rejected one 404; the
bare base domain is the platform's own site; any other host is a 404.
Blueprints declare which of the two they serve, and a request for the wrong
one is also a 404, so a tenant page can never run without a tenant.

A tenant whose schema is not at the head of this code's tenant track (its
migration failed, or a deploy's ``db upgrade`` has not reached it yet) is
not served: ``TenantUpgrading``, a 503 that pages show as a translated
"being upgraded" page and the API as its ``{"message": ...}``.
"""
from flask import abort, current_app, g, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.exceptions import Forbidden, HTTPException, NotFound, ServiceUnavailable

from crm_saas.extensions import db
from crm_saas.tenants.binding import bind_schema, unbind
from crm_saas.tenants.migrate import TENANT, head
from crm_saas.tenants.models import PlatformUser, Tenant, TenantDomain
from crm_saas.tenants.platform_settings import platform_settings

TENANT_SCOPE = "tenant"
PLATFORM_SCOPE = "platform"
_scopes = {}


def scoped(blueprint, scope):
    """Mark a blueprint as serving tenant hosts or the platform host only."""
    _scopes[blueprint.name] = scope
    return blueprint


# How long a client should wait before asking again. One tenant's upgrade commits within
# a second of its turn, and a whole deploy's `db upgrade` over 1,000 tenants takes well under
# a minute with --jobs 2 (bench `upgrade_jobs`): half a minute brings people back soon without
# having every open page ask again each second.
UPGRADE_RETRY_AFTER = 30


class CompanyNotFound(NotFound):
    """No open company answers to this host (never signed up, closed or expired): a 404 that says so.

    Pages render ``errors/company_not_found.html`` with a link to the platform site
    (core/views.py); the API answers its usual ``{"message"}``.
    """

    description = _l("No company uses this address.")


class TenantUpgrading(ServiceUnavailable):
    """This tenant's schema is not at the head this code expects: 503 and Retry-After, for pages and API alike.

    ``data["message"]`` is what the API's error handler answers (api/errors.py), ahead of any
    generic 503 text it may have; pages render ``errors/upgrading.html`` (core/views.py).
    """

    description = _l(
        "This company is being upgraded to a new version. It will be back in a moment: please try again shortly."
    )

    def __init__(self, tenant_name):
        super().__init__(retry_after=UPGRADE_RETRY_AFTER)
        self.tenant_name = tenant_name
        self.data = {"message": self.description}


# What a company that cannot work still answers on its host: the language switch (the page that says so is
# in the reader's language), and, while it waits for approval, the emailed link to choose its admin's password.
CLOSED_ENDPOINTS = {"home.language"}
PENDING_ENDPOINTS = {"auth.reset", "home.language"}


class CompanyClosed(Exception):
    """Mixin of the answers of a company that cannot work: the page (core/views.py) and the API's code."""

    def setup(self, tenant, status, contact):
        self.tenant_name, self.status, self.contact = tenant.name, status, contact
        self.paid = tenant.paid
        self.data = {"message": self.description, "extra": {"code": self.reason_code()}}

    def reason_code(self):
        raise NotImplementedError


class PaymentRequired(HTTPException):
    """402, which werkzeug does not name: the answer of a company whose trial or subscription ended."""

    code = 402
    description = "Payment Required"


class CompanyExpired(CompanyClosed, PaymentRequired):
    """402: the trial or subscription ended (A2). The API's ``code`` says which; no data is touched."""

    def __init__(self, tenant, contact):
        super().__init__()
        self.setup(tenant, "expired", contact)

    @property
    def description(self):
        return (_("The subscription of this company has ended. Contact your agency or the platform to extend it.")
                if self.paid else
                _("The trial of this company has ended. Contact your agency or the platform to extend it."))

    def reason_code(self):
        return "subscription_expired" if self.paid else "trial_expired"


class CompanySuspended(CompanyClosed, Forbidden):
    def __init__(self, tenant, contact):
        super().__init__()
        self.setup(tenant, "suspended", contact)

    @property
    def description(self):
        return _("This company has been suspended. Contact your agency or the platform.")

    def reason_code(self):
        return "company_suspended"


class CompanyPending(CompanyClosed, Forbidden):
    def __init__(self, tenant, contact):
        super().__init__()
        self.setup(tenant, "pending", contact)

    @property
    def description(self):
        return _("This company's application is being reviewed. It opens once the platform approves it.")

    def reason_code(self):
        return "company_pending"


CLOSED = {"expired": CompanyExpired, "suspended": CompanySuspended, "pending": CompanyPending}


def contact_for(tenant):
    """Whom a company that cannot work should call: its agency rep (name, phone, email), else the platform's."""
    if tenant.rep_id:
        rep = db.session.get(PlatformUser, tenant.rep_id)
        if rep is not None and rep.active:
            return {"name": rep.name, "phone": rep.phone, "email": rep.email, "agency": rep.agency.name}
    settings = platform_settings()
    return {"name": settings["contact_name"] or _("Huike CRM support"), "phone": settings["contact_phone"],
            "email": settings["contact_email"], "agency": None}


def current_tenant():
    return g.get("tenant")


def request_hostname():
    return request.host.split(":", 1)[0].lower().rstrip(".")


def tenant_for_host(hostname):
    return db.session.scalar(
        select(Tenant).join(TenantDomain).where(TenantDomain.domain == hostname)
    )


def resolve_tenant():
    """``before_request``: bind the tenant of this host, or answer 404 (503 while its schema is behind).

    The version check reads the column the tenant row already brought and a
    cached string (``migrate.head``): nothing more per request. The row is
    read afresh on every request, and ``db upgrade`` writes the version in
    the transaction that changes the schema, so during a deploy (new code up
    before the upgrade has reached everyone) each company answers 503 until
    its own upgrade commits and is served from the next request on. Equality,
    not "at least": a schema ahead of this code (old code still running after
    a newer ``db upgrade``) is one this code cannot know either. Neither the
    tenant nor its schema is bound for that answer, so nothing (not even the
    signed-in user) is read from a schema that may not match the models.
    """
    if request.endpoint in ("home.healthz", "static"):
        return None
    hostname = request_hostname()
    base = current_app.config["CRM_BASE_DOMAIN"].lower()
    tenant = None
    if hostname != base:
        tenant = tenant_for_host(hostname)
        if tenant is None or tenant.status == "rejected":
            raise CompanyNotFound()
        status = tenant.effective_status()
        if status in CLOSED and request.endpoint not in (PENDING_ENDPOINTS if status == "pending" else ()):
            contact = contact_for(tenant)
            db.session.remove()
            if request.endpoint in CLOSED_ENDPOINTS:  # served with no tenant bound: it sets the session cookie only
                return None
            raise CLOSED[status](tenant, contact)
        if tenant.schema_version != head(TENANT):
            db.session.remove()
            if request.endpoint == "home.language":  # the language of the page that says so:
                return None  # served with no tenant bound, it sets the session cookie only
            raise TenantUpgrading(tenant.name)
    scope = _scopes.get(request.blueprint)
    if (scope == TENANT_SCOPE and tenant is None) or (scope == PLATFORM_SCOPE and tenant is not None):
        abort(404)
    if tenant is not None:
        # Leave the public lookup's session behind: the tenant's work starts fresh.
        db.session.expunge(tenant)
        db.session.remove()
        g.tenant = tenant
        g.tenant_binding = bind_schema(tenant.schema_name)
    return None


def release_tenant(exc=None):
    token = g.pop("tenant_binding", None)
    if token is not None:
        unbind(token)


def platform_url():
    """The platform site (sign-up, finding one's company) as this request reached us: scheme and port kept."""
    port = request.host.partition(":")[2]
    host = current_app.config["CRM_BASE_DOMAIN"]
    return f"{request.scheme}://{host}:{port}/" if port else f"{request.scheme}://{host}/"


def tenant_host(slug):
    """``slug.base-domain[:port]`` for links that cross from the platform to a tenant."""
    port = request.host.partition(":")[2]
    host = f"{slug}.{current_app.config['CRM_BASE_DOMAIN']}"
    return f"{host}:{port}" if port else host
