"""Due times (F1): a first response and a resolution due so many hours after a request comes in, per priority.

The hours are the company setting ``service_due_hours`` (``{priority:
{"response": h, "resolution": h}}``). A request is overdue while it is
still open (new, in progress or waiting for the customer: waiting pauses
nothing, the customer is still without an answer) and either its resolution
time has passed, or nobody has responded yet and the response time has
passed. ``is_overdue`` judges one request (pages, the API); ``overdue_condition``
is the same rule in SQL (the queue's filter, the reminder job).
"""
from datetime import timedelta

from sqlalchemy import and_, or_

from crm_saas.blueprints.service.models import ServiceRequest
from crm_saas.blueprints.service.services.codes import OPEN_STATUSES
from crm_saas.core.base import utcnow
from crm_saas.core.settings import DEFAULTS, get_setting


def due_hours(priority):
    """``{"response": h, "resolution": h}`` for ``priority``: the company's hours, the default for any missing."""
    default = DEFAULTS["service_due_hours"].get(priority) or DEFAULTS["service_due_hours"]["normal"]
    chosen = (get_setting("service_due_hours") or {}).get(priority) or {}
    return {key: chosen.get(key) or default[key] for key in ("response", "resolution")}


def due_times(priority, start):
    """``(response_due_at, due_at)`` for a request of ``priority`` that came in (or was reopened) at ``start``."""
    hours = due_hours(priority)
    return start + timedelta(hours=hours["response"]), start + timedelta(hours=hours["resolution"])


def is_overdue(req, now=None):
    now = now or utcnow()
    if req.status not in OPEN_STATUSES:
        return False
    late = req.due_at is not None and now > req.due_at
    unanswered = req.responded_at is None and req.response_due_at is not None and now > req.response_due_at
    return late or unanswered


def overdue_condition(now=None):
    """``is_overdue`` as a WHERE condition on ``ServiceRequest``."""
    now = now or utcnow()
    return and_(
        ServiceRequest.status.in_(OPEN_STATUSES),
        or_(ServiceRequest.due_at < now,
            and_(ServiceRequest.responded_at.is_(None), ServiceRequest.response_due_at < now)),
    )
