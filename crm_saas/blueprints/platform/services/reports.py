"""查看业务员销售跟进情况: each agency person's follow-up over a time range, for operators and agency leads.

One grouped query per measure (companies, contact records, extension
requests), each narrowed to the people the viewer sees, so the report costs
the same four statements for one rep or four hundred. Companies count for
the rep who holds them now (a transfer carries the history with it).
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from crm_saas.extensions import db
from crm_saas.tenants.agencies import visible_staff
from crm_saas.tenants.models import AgencyContact, ExtensionRequest, PlatformUser, Tenant

MEASURES = ("signed", "approved", "converted", "contacts", "extensions_asked", "extensions_granted")


@dataclass
class RepRow:
    person: PlatformUser
    signed: int = 0  # companies created in the range that the person holds
    approved: int = 0  # of theirs, approved in the range
    converted: int = 0  # of theirs, turned from trial to a paid subscription in the range
    contacts: int = 0  # contact records they wrote about a contact in the range
    last_contact_at: datetime | None = None  # their latest contact up to the range's end
    extensions_asked: int = 0
    extensions_granted: int = 0  # of the requests they made, approved in the range


def _between(column, start, end):
    return and_(column >= start, column < end)


def rep_follow_up(viewer, start, end, *, agency_id=None):
    """``[RepRow]`` of the agency people ``viewer`` sees (operators: everyone, or one agency's), for
    ``start <= time < end`` (aware datetimes), ordered by agency and code."""
    people_stmt = visible_staff(select(PlatformUser).where(PlatformUser.role != "operator"), viewer)
    if agency_id:
        people_stmt = people_stmt.where(PlatformUser.agency_id == agency_id)
    people = db.session.scalars(people_stmt.options(selectinload(PlatformUser.agency))
                                .order_by(PlatformUser.agency_id, PlatformUser.code, PlatformUser.id)).all()
    rows = {person.id: RepRow(person) for person in people}
    if not rows:
        return []
    ids = people_stmt.with_only_columns(PlatformUser.id).order_by(None).scalar_subquery()

    companies = db.session.execute(
        select(Tenant.rep_id,
               func.count().filter(_between(Tenant.created_at, start, end)),
               func.count().filter(_between(Tenant.approved_at, start, end)),
               func.count().filter(_between(Tenant.paid_at, start, end)))
        .where(Tenant.rep_id.in_(ids))
        .where((_between(Tenant.created_at, start, end)) | (_between(Tenant.approved_at, start, end))
               | (_between(Tenant.paid_at, start, end)))
        .group_by(Tenant.rep_id))
    for rep_id, signed, approved, converted in companies:
        row = rows[rep_id]
        row.signed, row.approved, row.converted = signed, approved, converted

    contacts = db.session.execute(
        select(AgencyContact.created_by,
               func.count().filter(_between(AgencyContact.occurred_at, start, end)),
               func.max(AgencyContact.occurred_at))
        .where(AgencyContact.created_by.in_(ids), AgencyContact.occurred_at < end)
        .group_by(AgencyContact.created_by))
    for person_id, count, last in contacts:
        rows[person_id].contacts, rows[person_id].last_contact_at = count, last

    extensions = db.session.execute(
        select(ExtensionRequest.requested_by,
               func.count().filter(_between(ExtensionRequest.requested_at, start, end)),
               func.count().filter(ExtensionRequest.status == "approved",
                                   _between(ExtensionRequest.decided_at, start, end)))
        .where(ExtensionRequest.requested_by.in_(ids))
        .where(_between(ExtensionRequest.requested_at, start, end) | _between(ExtensionRequest.decided_at, start, end))
        .group_by(ExtensionRequest.requested_by))
    for person_id, asked, granted in extensions:
        rows[person_id].extensions_asked, rows[person_id].extensions_granted = asked, granted
    return list(rows.values())


def totals(rows):
    """The sum of each measure over ``rows`` (the report's last line)."""
    return {measure: sum(getattr(row, measure) for row in rows) for measure in MEASURES}
