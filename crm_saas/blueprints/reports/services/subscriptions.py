"""The weekly summary by email (H1, scheduled reports): a manager's dashboard of last week, sent on Monday.

Supervisors and admins subscribe (reps have no team to summarise: refused).
The scheduler's job (workers/report_mail.py) runs this in every open
company: each active subscription gets last week's dashboard (Monday to
Sunday, company days) as its subscriber sees it (the scope's viewer is the
subscriber, so the one visibility rule applies as on their screen), in
their language, through the platform's mail server (core/mail.py).

Once a week means: the subscription row is locked, the message sent,
``last_sent_at`` set and committed, one subscription at a time. A second
run the same week (or a second job at the same moment: ``SKIP LOCKED``)
finds it already sent since this week began; a failed send leaves it due,
so the next run tries again.
"""
import logging
import smtplib
from datetime import timedelta

from flask import current_app, render_template
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.reports.models import ReportSubscription
from crm_saas.blueprints.reports.services import dashboard
from crm_saas.blueprints.reports.services.scope import company_today, midnight, read_scope
from crm_saas.blueprints.reports.services.target_periods import scope_period
from crm_saas.blueprints.reports.services.targets import MANAGERS, target_progress
from crm_saas.core import mail
from crm_saas.core.base import utcnow
from crm_saas.core.errors import FieldErrors
from crm_saas.core.users import User
from crm_saas.extensions import db

log = logging.getLogger(__name__)

WEEKLY = "weekly_summary"


class SubscriptionError(FieldErrors):
    """A subscription refused (a rep asking for a team's summary)."""


def may_subscribe(user):
    return user.role in MANAGERS


def subscription_of(user):
    return db.session.scalar(select(ReportSubscription).where(ReportSubscription.user_id == user.id,
                                                              ReportSubscription.report == WEEKLY))


def subscription_state(user):
    """What ``reports/_subscription.html`` shows: may they subscribe, are they, and where it would go."""
    found = subscription_of(user)
    return {"allowed": may_subscribe(user), "active": bool(found and found.active), "email": user.email}


def set_subscription(user, active):
    """Switch ``user``'s weekly summary on or off; switching on is for supervisors and admins only."""
    if active and not may_subscribe(user):
        raise SubscriptionError({"active": [_("Only supervisors and administrators receive the weekly summary.")]})
    found = subscription_of(user)
    if found is None and active:
        found = ReportSubscription(user_id=user.id, report=WEEKLY, active=True)
        db.session.add(found)
    elif found is not None:
        found.active = active
    db.session.commit()
    return found


def last_week(today):
    """``(last Monday, this Monday)``: the week summarised and the day it ends before."""
    this_monday = today - timedelta(days=today.weekday())
    return this_monday - timedelta(days=7), this_monday


def due_statement(cutoff):
    """Active weekly subscriptions of active managers with an address, not sent since ``cutoff``."""
    return (select(ReportSubscription.id).join(User, User.id == ReportSubscription.user_id)
            .where(ReportSubscription.report == WEEKLY, ReportSubscription.active.is_(True),
                   or_(ReportSubscription.last_sent_at.is_(None), ReportSubscription.last_sent_at < cutoff),
                   User.active.is_(True), User.role.in_(MANAGERS), User.email.is_not(None), User.email != ""))


def send_weekly_summaries_now(link="", today=None):
    """Email every due subscriber last week's summary; returns how many went (0 without a mail server).

    ``link`` is the company's address, put in the message so the reader can open the dashboard.
    """
    if not mail.configured():
        return 0
    first, this_monday = last_week(today or company_today())
    cutoff = midnight(this_monday)
    due = db.session.scalars(due_statement(cutoff).order_by(ReportSubscription.id)).all()
    db.session.rollback()  # nothing held while mail goes out
    return sum(_send_one(subscription_id, first, cutoff, link) for subscription_id in due)


def _send_one(subscription_id, first, cutoff, link):
    found = db.session.scalar(
        due_statement(cutoff).with_only_columns(ReportSubscription).where(ReportSubscription.id == subscription_id)
        .options(selectinload(ReportSubscription.user)).with_for_update(of=ReportSubscription, skip_locked=True))
    if found is None:
        db.session.rollback()  # sent meanwhile by another run, switched off, or its reader is gone
        return 0
    person = found.user
    subject, body = summary_message(person, first, link)
    try:
        mail.send(person.email, subject, body)
    except (smtplib.SMTPException, OSError):
        log.warning("weekly summary %s to %s failed; the next run retries", found.id, person.email, exc_info=True)
        db.session.rollback()
        return 0
    found.last_sent_at = utcnow()
    db.session.commit()
    return 1


def summary_message(person, first, link=""):
    """``(subject, body)``: the dashboard of the week starting ``first`` as ``person`` sees it, in their language."""
    scope = read_scope(person, {"range": "week", "from": first.isoformat()})
    with force_locale(person.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):  # labels too: built in it
        figures = dashboard.build_dashboard(scope)
        targets = [item for item in (figures.targets or target_progress(scope)) if item["target"] is not None]
        dates = {"first": format_date(scope.first, "medium"), "last": format_date(scope.last, "medium")}
        subject = _("Weekly summary, %(first)s to %(last)s", **dates)
        body = render_template("reports/mail/weekly_summary.txt", person=person, cards=figures.cards,
                               targets=targets, period=scope_period(scope), link=link, **dates)
    return str(subject), body
