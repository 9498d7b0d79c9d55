"""`crm-saas check`: what a production deployment still lacks, like Django's ``check --deploy``.

Each check gives a level and a sentence saying what to do: ``FAIL`` (not
safe or not working: the command exits 1), ``WARN`` (works, but probably not
what was meant) or ``OK``. Run it after a deploy and from monitoring: it
reaches the database and Redis, asks Redis whether a worker and a
scheduler are there, and counts the companies that can send mail.
"""
import smtplib
from dataclasses import dataclass
from urllib.parse import urlsplit

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Worker
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from crm_saas.extensions import db
from crm_saas.tenants.binding import check_schema_name
from crm_saas.tenants.lifecycle import OPEN
from crm_saas.tenants.migrate import PUBLIC, TENANT, head
from crm_saas.tenants.models import Tenant
from crm_saas.workers.scheduler import keys

FAIL, WARN, OK = "FAIL", "WARN", "OK"
WEAK_SECRETS = {"dev", "secret", "changeme", "change-me", "test-secret", "secret-key"}


@dataclass
class Finding:
    level: str
    topic: str
    message: str


def run_checks(app):
    """Every finding, in the order an operator would fix them."""
    findings = [*_settings(app.config)]
    with app.app_context():
        findings += _database(app)
    findings.append(_platform_mail(app))
    findings += _queue(app)
    return findings


def _platform_mail(app):
    """The operator's mail server (core/mail.py), which sends password-reset links: set, and answering."""
    url = app.config["CRM_MAIL_URL"]
    if not url:
        return Finding(WARN, "CRM_MAIL_URL", "Not set: people who forget their password cannot get a reset link; "
                                             "an admin must set a new one. Set smtp://user:password@host:587.")
    parts = urlsplit(url)
    try:
        smtp = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
        with smtp(parts.hostname, parts.port or (465 if parts.scheme == "smtps" else 25), timeout=5) as server:
            server.noop()
    except (OSError, smtplib.SMTPException) as exc:
        return Finding(FAIL, "CRM_MAIL_URL", f"{parts.hostname}:{parts.port} does not answer "
                                             f"({exc.__class__.__name__}): reset links are not sent.")
    return Finding(OK, "CRM_MAIL_URL", f"{parts.hostname} answers")


def _settings(config):
    secret = config.get("SECRET_KEY") or ""
    if config["CRM_EMBEDDED"]:
        yield Finding(FAIL, "CRM_EMBEDDED", "Embedded servers are for development: set DATABASE_URL and REDIS_URL to "
                                            "your own servers and unset CRM_EMBEDDED.")
    if len(secret) < 32 or secret.lower() in WEAK_SECRETS:
        yield Finding(FAIL, "SECRET_KEY", "Use 32 or more random characters, e.g. `python -c \"import secrets; "
                                          "print(secrets.token_hex(32))\"`.")
    else:
        yield Finding(OK, "SECRET_KEY", "set")
    if not config["CRM_ENCRYPTION_KEY"]:
        yield Finding(WARN, "CRM_ENCRYPTION_KEY", "Derived from SECRET_KEY: rotating SECRET_KEY would lose the stored "
                                                  "SMTP passwords. Set a Fernet key of its own.")
    if not config["CRM_HTTPS"]:
        yield Finding(FAIL, "CRM_HTTPS", "Off: session cookies are sent without Secure and there is no HSTS. Serve "
                                         "through a TLS proxy and set CRM_HTTPS=1.")
    else:
        yield Finding(OK, "CRM_HTTPS", "Secure cookies and HSTS")
    if not config["CRM_PROXY_HOPS"]:
        yield Finding(WARN, "CRM_PROXY_HOPS", "0: if a proxy is in front, the sign-in log and the limits see the "
                                              "proxy's address, not the client's. Set the number of proxies.")
    if config["CRM_BASE_DOMAIN"] in ("localhost", "127.0.0.1"):
        yield Finding(WARN, "CRM_BASE_DOMAIN", "localhost: companies live at <subdomain>.<base domain>; set your "
                                               "domain (with a wildcard DNS record and certificate).")
    if config["CRM_OUTBOUND_ALLOW_PRIVATE"]:
        yield Finding(WARN, "CRM_OUTBOUND_ALLOW_PRIVATE", "On: companies may point their SMTP settings at private "
                                                          "and internal addresses.")


def _database(app):
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        yield Finding(FAIL, "DATABASE_URL", f"PostgreSQL cannot be reached: {type(exc).__name__}.")
        return
    yield Finding(OK, "DATABASE_URL", "PostgreSQL answers")
    public = db.session.scalar(text("SELECT version_num FROM public.alembic_version LIMIT 1")) if \
        db.session.scalar(text("SELECT to_regclass('public.alembic_version') IS NOT NULL")) else None
    if public != head(PUBLIC):
        yield Finding(FAIL, "migrations", "The public schema is not at head: run `crm-saas db upgrade`.")
        return
    target = head(TENANT)
    behind = db.session.scalars(select(Tenant.slug).where(Tenant.schema_version.is_distinct_from(target))
                                .order_by(Tenant.slug)).all()
    total = db.session.scalar(select(func.count()).select_from(Tenant))
    if behind:
        named = ", ".join(behind[:5]) + (" ..." if len(behind) > 5 else "")
        yield Finding(FAIL, "migrations", f"{len(behind)} of {total} companies are behind the code ({named}): they "
                                          "see the upgrade page until `crm-saas db upgrade` finishes them.")
    else:
        yield Finding(OK, "migrations", f"all {total} companies at head")
    yield _mail()


def _mail():
    """Reminders go out through each company's own SMTP server (E2): how many open companies have one.

    One small query per company, on one connection; the schema names come
    from the tenants table and are checked as identifiers.
    """
    schemas = db.session.scalars(select(Tenant.schema_name).where(Tenant.status.in_(OPEN))).all()
    configured = 0
    for schema in schemas:
        host = db.session.scalar(text(f"SELECT value->>'host' FROM \"{check_schema_name(schema)}\".settings "
                                      "WHERE key = 'smtp'"))
        configured += bool(host)
    if schemas and not configured:
        return Finding(WARN, "mail", f"None of the {len(schemas)} open companies has an SMTP server: task reminders "
                                     "are not emailed until a company's admin sets one (Settings, Mail).")
    return Finding(OK, "mail", f"{configured} of {len(schemas)} open companies send reminders through their SMTP "
                               "server")


def _queue(app):
    connection = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5)
    try:
        connection.ping()
    except RedisError as exc:
        yield Finding(FAIL, "REDIS_URL", f"Redis cannot be reached: {type(exc).__name__}.")
        return
    yield Finding(OK, "REDIS_URL", "Redis answers")
    name = app.config["CRM_EXPORT_QUEUE"]
    workers = Worker.all(queue=Queue(name, connection=connection))
    if workers:
        yield Finding(OK, "worker", f"{len(workers)} listening on {name}")
    else:
        yield Finding(FAIL, "worker", f"No worker listens on {name}: exports and reminders wait. Run `crm-saas "
                                      "worker` (see deploy/).")
    if connection.exists(keys(name)["leader"]):
        yield Finding(OK, "scheduler", "one leads")
    else:
        yield Finding(FAIL, "scheduler", "No scheduler runs: no purge, reminder safety net, expiry or reaping of dead "
                                         "jobs. Run `crm-saas scheduler` or `crm-saas worker --with-scheduler`.")
