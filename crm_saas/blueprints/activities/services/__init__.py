"""Follow-ups (E1): the rules, recording and editing them, and who sees and edits them.

``activity_errors`` judges data in the API's shape (the form posts the same
names) and names every broken rule, so the form and the API refuse the same
things with the same words. A follow-up is seen by whoever sees its customer.
"""
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.activities.models import Activity
from crm_saas.blueprints.activities.services import tasks as task_services
from crm_saas.blueprints.activities.services.checks import as_int, visible_deal_of
from crm_saas.blueprints.activities.services.times import parse_time
from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.customers.services import get_visible_customer
from crm_saas.blueprints.customers.services.shares import read_only_refusal, share_clause
from crm_saas.blueprints.pipeline.models import Deal
from crm_saas.blueprints.pipeline.services import visible_deals
from crm_saas.core.base import utcnow
from crm_saas.core.errors import FieldErrors
from crm_saas.core.validators import holds_resident_id, resident_id_message
from crm_saas.core.visibility import subtree_ids, visible
from crm_saas.extensions import db

# API.md "activity type": code -> label (电话/拜访/邮件/会议/微信 in Chinese).
TYPES = {"call": _l("Phone call"), "visit": _l("Visit"), "email": _l("Email message"), "meeting": _l("Meeting"),
         "wechat": _l("WeChat")}
# Visits and meetings may be booked ahead (预约): in the future they are appointments on the agenda.
APPOINTMENT_TYPES = ("visit", "meeting")
# How far a follow-up that already happened may lie in the future: clocks differ a little.
CLOCK_SLACK = timedelta(minutes=5)
DURATION_MAX = 1440
TEXT_MAX, NEXT_ACTION_MAX = 5000, 500
TEXT_FIELDS = ("participants", "summary", "feedback", "offer", "next_action")
# As the form labels them: a refusal that a message must name the field by (C12) reads the same.
TEXT_LABELS = {"participants": _l("People present"), "summary": _l("Summary"), "feedback": _l("Customer feedback"),
               "offer": _l("What we offered"), "next_action": _l("Next step")}
FIELDS = ("customer_id", "deal_id", "type", "occurred_at", "duration_minutes", *TEXT_FIELDS, "next_follow_up_at")


class ActivityError(FieldErrors):
    """Refused follow-up: field name -> messages (422 in the API, messages beside fields on the form)."""


def type_label(code):
    return TYPES.get(code, code)


def visible_activities(user):
    """Follow-ups whose customer ``user`` may see (and which is not in the recycle bin).

    A customer shared with ``user`` brings its follow-ups along: the colleague
    it is lent to reads its history, as on the customer's own page.
    """
    return visible(
        select(Activity).join(Customer, Customer.id == Activity.customer_id).where(Customer.deleted_at.is_(None)),
        Customer.owner_id, user, shared=share_clause(user),
    )


def get_visible_activity(user, activity_id):
    return db.session.scalar(
        visible_activities(user).where(Activity.id == activity_id)
        .options(selectinload(Activity.customer), selectinload(Activity.created_by))
    )


def may_edit(user, activity):
    """Its author, or the customer's owner and anyone above them (admins head everyone)."""
    if user.role == "admin" or activity.created_by_id == user.id:
        return True
    return activity.customer.owner_id in subtree_ids(user.id)


def activity_errors(data, *, user, activity=None):
    """``(values, customer, errors)``: ``data`` parsed against the rules, judged as the follow-up would become.

    With ``activity`` (an edit) only the fields in ``data`` change; the rest
    are the stored ones, so "next time after occurred time" holds whichever
    of the two was sent.
    """
    errors, values = {}, {}
    present = set(FIELDS) if activity is None else set(data) & set(FIELDS)
    customer = activity.customer if activity is not None else None
    if "customer_id" in present:
        customer_id = as_int(data.get("customer_id"))
        customer = get_visible_customer(user, customer_id) if customer_id else None
        if customer is None:
            # An invisible customer reads like a missing one: never confirm it exists (as deals do).
            errors["customer_id"] = [_("Choose a customer you can see.")]
        elif read_only_refusal(user, customer):
            errors["customer_id"] = [read_only_refusal(user, customer)]
        else:
            values["customer_id"] = customer.id
    if "deal_id" in present or ("customer_id" in values and activity is not None and activity.deal_id):
        raw = data.get("deal_id", activity.deal_id if activity is not None else None)
        deal = visible_deal_of(raw, customer, user, errors)
        values["deal_id"] = deal.id if deal else None
    if "type" in present:
        if not isinstance(data.get("type"), str) or data["type"] not in TYPES:
            errors["type"] = [_("Choose a follow-up type: %(types)s.", types=", ".join(TYPES))]
        values["type"] = data.get("type")
    if "occurred_at" in present:
        values["occurred_at"] = _time(data.get("occurred_at"), "occurred_at", errors, required=True)
    if "duration_minutes" in present:
        values["duration_minutes"] = _duration(data.get("duration_minutes"), errors)
    for field in TEXT_FIELDS:
        if field in present:
            values[field] = _text(data.get(field), field, errors)
    if "next_follow_up_at" in present:
        values["next_follow_up_at"] = _time(data.get("next_follow_up_at"), "next_follow_up_at", errors)
    _check_times(values, activity, errors)
    return values, customer, errors


def _time(raw, field, errors, required=False):
    if raw in (None, ""):
        if required:
            errors[field] = [_("Enter when it happened.")]
        return None
    parsed = parse_time(raw)
    if parsed is None:
        errors[field] = [_("Enter a date and time (for example 2026-12-01 14:30).")]
    return parsed


def _duration(raw, errors):
    if raw in (None, ""):
        return None
    minutes = int(raw) if isinstance(raw, float) and raw.is_integer() else as_int(raw)
    if minutes is None or not 0 <= minutes <= DURATION_MAX:
        errors["duration_minutes"] = [_("Duration: whole minutes from 0 to %(max)d.", max=DURATION_MAX)]
    return minutes


def _text(raw, field, errors):
    if raw is not None and not isinstance(raw, str):
        errors[field] = [_("Enter text.")]
        return None
    text = (raw or "").strip() or None
    limit = NEXT_ACTION_MAX if field == "next_action" else TEXT_MAX
    if field == "summary" and not text:
        errors[field] = [_("Summary is required: what was discussed?")]
    elif text and len(text) > limit:
        errors[field] = [_("At most %(max)d characters.", max=limit)]
    elif holds_resident_id(text):
        errors[field] = [resident_id_message(TEXT_LABELS[field])]
    return text


def _check_times(values, activity, errors):
    """Only visits and meetings may lie ahead (appointments); the next time comes after this one."""
    def current(field):
        return values[field] if field in values else getattr(activity, field, None)

    occurred, kind, upcoming = current("occurred_at"), current("type"), current("next_follow_up_at")
    if occurred is None or "occurred_at" in errors:
        return
    if kind not in APPOINTMENT_TYPES and occurred > utcnow() + CLOCK_SLACK and "type" not in errors:
        errors["occurred_at"] = [_("A follow-up is written once it happened: this time is in the future. "
                                   "Book visits and meetings ahead instead.")]
    if upcoming is not None and "next_follow_up_at" not in errors and upcoming <= occurred:
        errors["next_follow_up_at"] = [_("The next follow-up must come after this one.")]


def record_activity(data, *, actor):
    """Save a follow-up; a next follow-up time becomes a task for the customer's owner.

    Returns ``(activity, task)`` (``task`` None when no task was made).
    Raises ActivityError naming every bad field.
    """
    values, customer, errors = activity_errors(data, user=actor)
    if errors:
        raise ActivityError(errors)
    activity = Activity(created_by_id=actor.id, **values)
    db.session.add(activity)
    db.session.flush()
    task = task_services.sync_follow_up_task(activity, customer, actor=actor, next_changed=True)
    touch_deals({activity.deal_id})
    touch_customers({activity.customer_id})
    db.session.commit()
    task_services.schedule_reminder(task)
    return activity, task


def update_activity(activity, changes, *, actor):
    """Change some fields of a follow-up; its open task moves with a new next time.

    Returns ``(activity, task_changed)``. The caller checked ``may_edit``.
    """
    values, customer, errors = activity_errors(changes, user=actor, activity=activity)
    if errors:
        raise ActivityError(errors)
    old_deal, old_next, old_customer = activity.deal_id, activity.next_follow_up_at, activity.customer_id
    for field, value in values.items():
        setattr(activity, field, value)
    db.session.flush()
    task = task_services.sync_follow_up_task(
        activity, customer, actor=actor, next_changed=activity.next_follow_up_at != old_next,
        retitle="next_action" in values,
    )
    touch_deals({old_deal, activity.deal_id})
    touch_customers({old_customer, activity.customer_id})
    db.session.commit()
    task_services.schedule_reminder(task)
    return activity, task is not None


def touch_deals(deal_ids):
    """Deals remember their newest follow-up (the board's rotting reads it); their own edit time stays."""
    for deal_id in filter(None, deal_ids):
        newest = select(func.max(Activity.occurred_at)).where(Activity.deal_id == deal_id).scalar_subquery()
        db.session.execute(
            update(Deal).where(Deal.id == deal_id)
            .values(last_activity_at=newest, updated_at=Deal.updated_at)
            .execution_options(synchronize_session=False)
        )


def touch_customers(customer_ids):
    """Customers remember their newest follow-up (C11: the pools' no-follow-up clock counts from it).

    An appointment booked ahead counts from when it was written, not from
    its future time: booking a visit is following up today.
    """
    for customer_id in filter(None, customer_ids):
        newest = select(func.max(func.least(Activity.occurred_at, Activity.created_at))) \
            .where(Activity.customer_id == customer_id).scalar_subquery()
        db.session.execute(
            update(Customer).where(Customer.id == customer_id)
            .values(last_follow_up_at=newest, updated_at=Customer.updated_at)
            .execution_options(synchronize_session=False)
        )


def customer_deal_options(user, customer):
    """The customer's deals ``user`` may see, for the form's deal choice."""
    return db.session.scalars(
        visible_deals(user).where(Deal.customer_id == customer.id).order_by(Deal.created_at.desc())
    ).all()
