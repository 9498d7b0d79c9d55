"""Follow-up pages: the form (inline or in the board's quick-add dialog), the timeline, the bell, the agenda.

Saving answers htmx with the form again and an ``HX-Trigger`` header:
``activity-added`` ``{"customer_id", "deal_id"}`` after a follow-up is saved
or edited (and ``activity-added-customer-<id>``, ``activity-added-deal-<id>`` for
the records it concerns), ``task-changed`` when a task was made, moved or ticked off. The
card, the timeline and the bell listen for them and refresh themselves.
"""
import json

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm_saas.blueprints.activities import display, forms, services
from crm_saas.blueprints.activities.services import tasks
from crm_saas.blueprints.activities.services.agenda import leads_a_team, week_agenda
from crm_saas.blueprints.activities.services.checks import as_int
from crm_saas.blueprints.activities.services.follow_up_list import PER_PAGE, as_args, list_follow_ups, read_list_args
from crm_saas.blueprints.activities.services.times import local_now, parse_week, week_start
from crm_saas.blueprints.customers.services import get_visible_customer, owned_by
from crm_saas.blueprints.pipeline.services import get_visible_deal
from crm_saas.core.htmx import is_htmx, redirect_to, render
from crm_saas.core.staff import picked_person
from crm_saas.core.templating import when
from crm_saas.core.views import found_or_404
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("activities", __name__), TENANT_SCOPE)
display.init_app(bp)

FORM = "activities/_form.html"
PAGE = "activities/new.html"  # the form as a page, for a browser without htmx
OWN_CUSTOMERS_OFFERED = 300


def _deal_of(customer, deal_id):
    """The named deal if the viewer sees it and it is this customer's; 404 otherwise."""
    if not deal_id:
        return None
    deal = get_visible_deal(current_user, deal_id)
    if deal is None or deal.customer_id != customer.id:
        abort(404)
    return deal


def _triggers(activity=None, task_changed=False):
    events = {}
    if activity is not None:
        events["activity-added"] = {"customer_id": activity.customer_id, "deal_id": activity.deal_id}
        # One event per record as well, which a card or timeline names in its hx-trigger: a filter
        # (`activity-added[detail.deal_id==7]`) needs eval, which the CSP and htmx's allowEval refuse,
        # and htmx then ignores the filter, so every card on the board asked for itself again.
        events[f"activity-added-customer-{activity.customer_id}"] = {}
        if activity.deal_id:
            events[f"activity-added-deal-{activity.deal_id}"] = {}
    if task_changed:
        events["task-changed"] = {}
    return {"HX-Trigger": json.dumps(events)} if events else {}


@bp.route("/activities/new")
@login_required
def new():
    """The follow-up form alone: what the board's quick-add dialog shows."""
    customer = found_or_404(get_visible_customer(current_user, request.args.get("customer_id", type=int)))
    deal = _deal_of(customer, request.args.get("deal_id", type=int))
    form = forms.blank_form(current_user, customer, deal, "deal" if deal else "customer")
    return render(PAGE, FORM, activity_form=form)


@bp.route("/activities", methods=["POST"])
@login_required
def create():
    customer = found_or_404(get_visible_customer(current_user, as_int(request.form.get("customer_id"))))
    subject = "deal" if request.form.get("subject") == "deal" else "customer"
    deal = _deal_of(customer, as_int(request.form.get("deal_id"))) if subject == "deal" else None
    data = forms.posted(request.form)
    try:
        activity, task = services.record_activity(data, actor=current_user)
    except services.ActivityError as err:
        form = forms.blank_form(current_user, customer, deal, subject)
        form.values, form.errors = data, err.errors
        return render(PAGE, FORM, activity_form=form), 422
    message = _("Follow-up saved.")
    if task is not None:
        message = _("Follow-up saved; %(name)s has a task for %(when)s.", name=customer.owner.name,
                    when=when(task.due_at))
    if not is_htmx():
        flash(message, "success")
        return redirect_to(url_for("customers.detail", customer_id=customer.id))
    form = forms.blank_form(current_user, customer, deal, subject, message=message)
    return render_template(FORM, activity_form=form), 200, _triggers(activity, task is not None)


def _editable_or_404(activity_id):
    activity = found_or_404(services.get_visible_activity(current_user, activity_id))
    if not services.may_edit(current_user, activity):
        abort(403)
    return activity


@bp.route("/activities/<int:activity_id>/edit")
@login_required
def edit(activity_id):
    """The follow-up as a form, in place of its timeline entry."""
    activity = _editable_or_404(activity_id)
    return render(PAGE, FORM, activity_form=forms.edit_form(current_user, activity, _back_url(activity)))


def _back_url(activity):
    if request.values.get("subject") == "deal" and activity.deal_id:
        return url_for("activities.timeline", deal_id=activity.deal_id)
    return url_for("activities.timeline", customer_id=activity.customer_id)


@bp.route("/activities/<int:activity_id>", methods=["POST"])
@login_required
def update(activity_id):
    activity = _editable_or_404(activity_id)
    data = forms.posted(request.form)
    try:
        _activity, task_changed = services.update_activity(activity, data, actor=current_user)
    except services.ActivityError as err:
        form = forms.edit_form(current_user, activity, _back_url(activity))
        form.values, form.errors = data, err.errors
        return render(PAGE, FORM, activity_form=form), 422
    if not is_htmx():
        flash(_("Follow-up saved."), "success")
        return redirect_to(url_for("customers.detail", customer_id=activity.customer_id))
    form = forms.edit_form(current_user, activity, _back_url(activity))
    form.message = _("Follow-up saved.")
    return render_template(FORM, activity_form=form), 200, _triggers(activity, task_changed)


@bp.route("/activities/")
@login_required
def follow_up_list():
    """Every follow-up the viewer sees, newest first, by type, author, team and days; exported as shown."""
    filters, page = read_list_args(request.args)
    rows, total = list_follow_ups(current_user, filters, page)
    return render("activities/list.html", "activities/_list.html", activities=rows, total=total, page=page,
                  per_page=PER_PAGE, filters=filters, params=as_args(filters), types=services.TYPES,
                  chosen_owner=picked_person(current_user, "visible", filters.get("owner_id")),
                  chosen_team=picked_person(current_user, "leaders", filters.get("team")))


@bp.route("/activities/timeline")
@login_required
def timeline():
    """The timeline partial again (it asks for itself when it hears ``activity-added``)."""
    deal_id = request.args.get("deal_id", type=int)
    if deal_id:
        deal = found_or_404(get_visible_deal(current_user, deal_id))
        return render_template("activities/_timeline.html", subject="deal", record=deal)
    customer = found_or_404(get_visible_customer(current_user, request.args.get("customer_id", type=int)))
    return render_template("activities/_timeline.html", subject="customer", record=customer)


@bp.route("/tasks/bell")
@login_required
def bell():
    return render_template("activities/_bell.html")


def _agenda_context(**extra):
    source = request.values
    monday = parse_week(source.get("week")) or week_start(local_now().date())
    leads = leads_a_team(current_user)
    team = source.get("team") == "1" and leads
    own = owned_by(current_user, OWN_CUSTOMERS_OFFERED)
    context = dict(week=week_agenda(current_user, monday, team=team), may_see_team=leads,
                   own_customers=own, task_values={}, task_errors={}, now=local_now())
    return {**context, **extra}


@bp.route("/agenda")
@login_required
def agenda():
    return render("activities/agenda.html", "activities/_agenda.html", **_agenda_context())


@bp.route("/tasks", methods=["POST"])
@login_required
def add_task():
    """A task typed by hand on the agenda (for oneself); answers the agenda with the new task in it."""
    data = forms.posted_task(request.form)
    try:
        tasks.create_task(data, actor=current_user)
    except tasks.TaskError as err:
        return render("activities/agenda.html", "activities/_agenda.html",
                      **_agenda_context(task_values=data, task_errors=err.errors)), 422
    if not is_htmx():
        flash(_("Task added."), "success")
        return redirect_to(url_for("activities.agenda", week=request.form.get("week") or None))
    return render_template("activities/_agenda.html", **_agenda_context(task_message=_("Task added."))), 200, \
        _triggers(task_changed=True)


@bp.route("/tasks/<int:task_id>/done", methods=["POST"])
@login_required
def toggle_task(task_id):
    """Tick a task off (or back on); answers the task's row."""
    task = found_or_404(tasks.get_visible_task(current_user, task_id))
    tasks.update_task(task, {"done": request.form.get("done") == "1"}, actor=current_user)
    if not is_htmx():
        return redirect_to(url_for("activities.agenda", week=request.form.get("week") or None))
    return render_template("activities/_task.html", task=task, now=local_now()), 200, _triggers(task_changed=True)
