"""Create a company: public rows, its schema, tables, defaults and admin, all or nothing."""
import re
from datetime import timedelta

from flask import current_app
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from crm_saas.core import signals
from crm_saas.core.base import TENANT_SCHEMA, tenant_tables, utcnow
from crm_saas.core.roles import built_in_rows
from crm_saas.core.users import User
from crm_saas.extensions import db
from crm_saas.tenants.binding import check_schema_name
from crm_saas.tenants.migrate import stamp_tenant
from crm_saas.tenants.models import Tenant, TenantDomain
from crm_saas.tenants.recycling import note_schema

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,30}[a-z0-9]$")
RESERVED_SLUGS = frozenset(
    "www api app admin platform static mail smtp ftp help support status docs blog test demo-admin".split()
)


class SlugError(ValueError):
    """The subdomain is malformed, reserved or taken; ``code`` says which."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def schema_for(slug):
    return check_schema_name("t_" + slug.replace("-", "_"))


def check_slug(slug):
    if not SLUG_RE.match(slug or ""):
        raise SlugError("malformed")
    if slug in RESERVED_SLUGS:
        raise SlugError("reserved")
    taken = db.session.scalar(
        select(Tenant.id).where((Tenant.slug == slug) | (Tenant.schema_name == schema_for(slug)))
    )
    if taken:
        raise SlugError("taken")


_UNSET = object()


def provision_tenant(slug, name, admin, *, status="trial", contact=None, rep_code=None, hook=None,
                     expires_at=_UNSET, approved_at=_UNSET, agency_id=None, rep_id=None):
    """Create the company ``slug`` with its admin; returns the new Tenant's id.

    By default it is on trial from now for ``CRM_TRIAL_DAYS`` (the command
    line, tests); a sign-up (tenants/registration.py) says its own status,
    dates and agency.

    ``admin`` holds username, password_hash, name and the other User fields.
    One transaction covers the tenant row, its domain, ``CREATE SCHEMA``, the
    tables, the admin and what each feature adds to a new company
    (``tenant_provisioned``: the default pipeline): any failure leaves nothing.
    ``hook(conn)`` runs just before commit (tests use it to fail mid-way).
    """
    check_slug(slug)
    schema = schema_for(slug)
    contact = contact or {}
    base = current_app.config["CRM_BASE_DOMAIN"]
    now = utcnow()
    if expires_at is _UNSET:
        expires_at = now + timedelta(days=current_app.config["CRM_TRIAL_DAYS"])
    if approved_at is _UNSET:
        approved_at = now
    with db.engine.begin() as conn:
        tenant_id = conn.scalar(
            insert(Tenant)
            .values(
                slug=slug, name=name, schema_name=schema, status=status, expires_at=expires_at, rep_code=rep_code,
                approved_at=approved_at, agency_id=agency_id, rep_id=rep_id,
                contact_name=contact.get("name"), contact_phone=contact.get("phone"),
                contact_email=contact.get("email"), created_at=now,
            )
            .returning(Tenant.id)
        )
        conn.execute(insert(TenantDomain).values(tenant_id=tenant_id, domain=f"{slug}.{base}", is_primary=True))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        note_schema(conn, schema)  # its catalog now weighs on this connection's backend too
        tconn = conn.execution_options(schema_translate_map={TENANT_SCHEMA: schema})
        db.metadata.create_all(tconn, tables=tenant_tables(), checkfirst=False)  # the schema is brand new
        version = stamp_tenant(conn, schema)
        conn.execute(Tenant.__table__.update().where(Tenant.id == tenant_id).values(schema_version=version))
        with Session(bind=tconn) as session:
            session.add(User(role="admin", **admin))
            session.add_all(built_in_rows())
            signals.tenant_provisioned.send(session)
            session.flush()
        if hook:
            hook(conn)
    return tenant_id
