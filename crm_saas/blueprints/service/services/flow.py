"""The status flow (F1): 新建 → 处理中 → 待客户确认 → 已解决 → 已关闭, and reopening.

``TRANSITIONS`` is the whole rule: from each status, where a request may go.
A resolved or closed request goes back to in progress when it is reopened
(``reopened`` counts how often); the old resolution and score stay on the
timeline, the request itself starts over with a fresh resolution time. The
first move out of new is the first response (``responded_at``).

Resolving needs a resolution; closing needs one too (given now or when it was
resolved) and may carry the customer's satisfaction (1-5) and a return visit
(回访): a task on that day for the request's assignee, who served the customer
and knows the case (for the closer instead when they may not hand the
assignee tasks, or nobody is assigned). The task names the customer when the
closer may see it.

A status that is not a status is bad input (422 naming ``status``); a real
status the request cannot reach from where it stands is a conflict
(``IllegalTransition``, 409 in the API, with the statuses it may go to).
"""
from flask_babel import gettext as _

from crm_saas.blueprints.activities.services.checks import as_int
from crm_saas.blueprints.activities.services.tasks import create_task, task_errors
from crm_saas.blueprints.activities.services.times import parse_time
from crm_saas.blueprints.service.services import IllegalTransition, ServiceError
from crm_saas.blueprints.service.services.checks import text_value
from crm_saas.blueprints.service.services.codes import STATUSES
from crm_saas.blueprints.service.services.due import due_times
from crm_saas.blueprints.service.services.requests import record_event
from crm_saas.core.base import utcnow
from crm_saas.core.staff import get_assignable
from crm_saas.extensions import db

TRANSITIONS = {
    "new": ("in_progress", "resolved"),
    "in_progress": ("waiting_customer", "resolved"),
    "waiting_customer": ("in_progress", "resolved"),
    "resolved": ("closed", "in_progress"),
    "closed": ("in_progress",),
}
REOPENED_FROM = ("resolved", "closed")


def allowed(req):
    """The statuses ``req`` may go to now, in the order the page offers them."""
    return TRANSITIONS.get(req.status, ())


def is_reopening(req, status):
    return status == "in_progress" and req.status in REOPENED_FROM


def transition(req, status, *, actor, resolution=None, satisfaction=None, return_visit_at=None):
    """Move ``req`` to ``status``; raises ServiceError naming every bad field, IllegalTransition for a move the
    flow does not allow. Returns the timeline entry."""
    if not isinstance(status, str) or status not in STATUSES:
        raise ServiceError({"status": [_("Choose one of: %(codes)s.", codes=", ".join(STATUSES))]})
    if status not in allowed(req):
        raise IllegalTransition({"status": [_("A request that is %(now)s cannot become %(new)s.",
                                              now=STATUSES[req.status], new=STATUSES[status])]},
                                allowed=list(allowed(req)))
    errors = {}
    text = text_value(resolution, "resolution", errors)
    if text and status not in ("resolved", "closed"):
        errors["resolution"] = [_("A resolution is given when resolving or closing.")]
    elif status == "resolved" and not text and "resolution" not in errors:
        errors["resolution"] = [_("Describe how the request was resolved.")]
    elif status == "closed" and not (text or req.resolution) and "resolution" not in errors:
        errors["resolution"] = [_("Describe how the request was resolved before closing it.")]
    score = _score(satisfaction, status, errors)
    visit = _return_visit(req, return_visit_at, status, actor, errors)
    if errors:
        raise ServiceError(errors)
    return _apply(req, status, actor=actor, resolution=text, score=score, visit=visit)


def _apply(req, status, *, actor, resolution, score, visit):
    now, previous, details = utcnow(), req.status, {}
    if is_reopening(req, status):
        details = {"reopened": True, "resolution": req.resolution, "satisfaction": req.satisfaction}
        req.reopened = (req.reopened or 0) + 1
        req.resolution = req.satisfaction = req.resolved_at = req.closed_at = None
        req.due_at = due_times(req.priority, now)[1]
        req.overdue_reminded_at = None
    if previous == "new" and req.responded_at is None:
        req.responded_at = now
    if resolution:
        req.resolution = resolution
    if status == "resolved":
        req.resolved_at = now
    if status == "closed":
        req.closed_at, req.resolved_at, req.satisfaction = now, req.resolved_at or now, score
        details["satisfaction"] = score
    req.status = status
    if visit is not None:
        details["return_visit_at"] = visit["due_at"].isoformat()
    event = record_event(req, "status", actor=actor, from_status=previous, to_status=status, body=resolution,
                         details=details)
    if visit is not None:
        create_task(visit, actor=actor)  # commits the move with it
    else:
        db.session.commit()
    return event


def _score(raw, status, errors):
    if raw in (None, ""):
        return None
    if status != "closed":
        errors["satisfaction"] = [_("The satisfaction score is given when closing.")]
        return None
    score = as_int(raw)
    if score is None or not 1 <= score <= 5:
        errors["satisfaction"] = [_("Give a satisfaction score from 1 to 5.")]
        return None
    return score


def _return_visit(req, raw, status, actor, errors):
    """The return-visit task's data, checked as the task rules will check it; None when none is asked for."""
    if raw in (None, ""):
        return None
    if status != "closed":
        errors["return_visit_at"] = [_("A return visit is scheduled when closing.")]
        return None
    when = parse_time(raw)
    if when is None or when <= utcnow():
        errors["return_visit_at"] = [_("Enter a time in the future for the return visit (for example "
                                       "2026-12-01 14:30).")]
        return None
    assignee = req.assignee_id if req.assignee_id and get_assignable(actor, req.assignee_id) else actor.id
    title = _("Return visit: %(customer)s (%(number)s)", customer=req.customer.name, number=req.number)
    data = {"title": title[:200], "due_at": when, "customer_id": req.customer_id, "assignee_id": assignee}
    _values, problems = task_errors(data, user=actor)
    if problems.get("customer_id"):  # a customer the closer may not see (or only read): the task goes without it
        data["customer_id"] = None
        _values, problems = task_errors(data, user=actor)
    if problems:
        errors["return_visit_at"] = [message for messages in problems.values() for message in messages]
        return None
    return data
