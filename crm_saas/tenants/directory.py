"""Which open companies a person with an email address works at, for the platform's "find my company".

Off the request path by design (DESIGN 7: no query across tenants while
serving a page): a worker asks each open company's schema in turn, one
small query each (a company has tens to thousands of people).
"""
from sqlalchemy import func, select

from crm_saas.core.users import User
from crm_saas.extensions import db
from crm_saas.tenants.binding import tenant_context
from crm_saas.tenants.lifecycle import OPEN
from crm_saas.tenants.models import Tenant


def companies_of(email):
    """``[(company name, slug, username), ...]`` of the active accounts with ``email``, by company name."""
    email = (email or "").strip().lower()
    if not email:
        return []
    found = []
    tenants = db.session.execute(select(Tenant.name, Tenant.slug, Tenant.schema_name)
                                 .where(Tenant.status.in_(OPEN)).order_by(Tenant.name, Tenant.id)).all()
    db.session.remove()
    for name, slug, schema in tenants:
        with tenant_context(schema):
            usernames = db.session.scalars(select(User.username).where(
                User.active.is_(True), func.lower(User.email) == email).order_by(User.id)).all()
        found += [(name, slug, username) for username in usernames]
    return found
