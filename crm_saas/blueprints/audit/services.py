"""Reading the operation log and the login log (J1), for the log pages; writing is ``core.audit.record``."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from crm_saas.core.audit import OperationLog
from crm_saas.core.users import LoginEvent
from crm_saas.extensions import db

PER_PAGE = 50


def _between(stmt, column, date_from, date_to, tz):
    """Whole days in the viewer's time zone, ``date_to`` included.

    Babel hands out pytz zones; ``datetime.combine`` with one would use its
    first entry, Shanghai's 1901 local mean time (+08:06), so read it as zoneinfo.
    """
    tz = ZoneInfo(str(tz)) if tz is not None else None
    if date_from:
        stmt = stmt.where(column >= datetime.combine(date_from, time.min, tz))
    if date_to:
        stmt = stmt.where(column < datetime.combine(date_to + timedelta(days=1), time.min, tz))
    return stmt


def _page(stmt, order, page, per_page):
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(*order).limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


def operations(*, user_id=None, date_from=None, date_to=None, action=None, tz=None, page=1, per_page=PER_PAGE):
    stmt = select(OperationLog)
    if user_id:
        stmt = stmt.where(OperationLog.actor_id == user_id)
    if action:
        stmt = stmt.where(OperationLog.action == action)
    stmt = _between(stmt, OperationLog.at, date_from, date_to, tz)
    return _page(stmt, (OperationLog.at.desc(), OperationLog.id.desc()), page, per_page)


def logins(*, user_id=None, date_from=None, date_to=None, success=None, tz=None, page=1, per_page=PER_PAGE):
    stmt = select(LoginEvent)
    if user_id:
        stmt = stmt.where(LoginEvent.user_id == user_id)
    if success is not None:
        stmt = stmt.where(LoginEvent.success.is_(success))
    stmt = _between(stmt, LoginEvent.at, date_from, date_to, tz)
    return _page(stmt, (LoginEvent.at.desc(), LoginEvent.id.desc()), page, per_page)
