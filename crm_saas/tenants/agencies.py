"""Agencies, rep codes (A3) and which companies a platform account sees.

A rep code is the agency's four-character prefix (two letters of region,
two digits of agency) and the rep's two digits, 01-99: ``GD0107``. Codes
are handed out from what is free, never typed in part, and a departed
rep's code signs nobody up any more (it stays theirs: history keeps it).

Visibility is the company rule again, over the agency's tree: a rep sees
the companies they hold, a supervisor their subtree's (the same walk,
``core.visibility.within_subtree``, over ``platform_users``), an agency
admin the whole agency's, an operator all of them.
"""
import re

from sqlalchemy import false, select

from crm_saas.core.visibility import within_subtree
from crm_saas.extensions import db
from crm_saas.tenants.models import Agency, PlatformUser, Tenant

PREFIX_RE = re.compile(r"^[A-Z]{2}\d{2}$")
CODE_RE = re.compile(r"^[A-Za-z]{2}\d{4}$")
REP_NUMBERS = tuple(f"{n:02d}" for n in range(1, 100))


def rep_for_code(code):
    """The active rep of an active agency that ``code`` names, or None (unknown, departed, agency stopped)."""
    code = (code or "").strip().upper()
    if not CODE_RE.match(code):
        return None
    return db.session.scalar(
        select(PlatformUser).join(Agency, Agency.id == PlatformUser.agency_id)
        .where(PlatformUser.code == code, PlatformUser.active.is_(True), Agency.status == "active")
    )


def free_codes(agency):
    """The codes of ``agency`` nobody holds, in order (a departed rep keeps theirs)."""
    taken = set(db.session.scalars(select(PlatformUser.code).where(PlatformUser.code.startswith(agency.prefix))))
    return [agency.prefix + n for n in REP_NUMBERS if agency.prefix + n not in taken]


def visible_tenants(statement, viewer):
    """Narrow a statement over ``Tenant`` to the companies ``viewer`` (a platform account) may see."""
    if viewer.is_operator:
        return statement
    if not viewer.active or viewer.agency_id is None:
        return statement.where(false())
    statement = statement.where(Tenant.agency_id == viewer.agency_id)
    if viewer.role == "admin":
        return statement
    return within_subtree(statement, Tenant.rep_id, viewer, PlatformUser)


def get_visible_tenant(viewer, tenant_id, *, for_update=False):
    """The company, or None when it does not exist or ``viewer`` may not see it (a 404)."""
    if isinstance(tenant_id, bool) or not isinstance(tenant_id, int):
        return None
    statement = visible_tenants(select(Tenant).where(Tenant.id == tenant_id), viewer)
    return db.session.scalar(statement.with_for_update(of=Tenant) if for_update else statement)


def visible_staff(statement, viewer):
    """Narrow a statement over ``PlatformUser`` to the agency staff ``viewer`` sees (operators: all of them)."""
    if viewer.is_operator:
        return statement
    statement = statement.where(PlatformUser.agency_id == viewer.agency_id)
    if viewer.role == "admin":
        return statement
    return within_subtree(statement, PlatformUser.id, viewer, PlatformUser)
