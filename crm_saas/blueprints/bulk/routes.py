"""The customer list's bulk actions (I2): the dialog of each action, and carrying it out on the selection.

The list's selection bar (``bulk/_bar.html``) sends the ticked ids, or
``scope=filter`` for everything matching the list's filters (sent along from
``#customer-filters``), with the action's fields. The answer is the list
again with what happened, or with why nothing did (422); an export answers
its progress bar, as the list's own export button does.
"""
from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from crm_saas.blueprints.bulk.blueprint import bp
from crm_saas.blueprints.bulk.services import ACTIONS, BulkForbidden
from crm_saas.blueprints.bulk.services.actions import run
from crm_saas.blueprints.campaigns.services.choices import campaign_choices
from crm_saas.blueprints.customers.pages import list_context
from crm_saas.blueprints.customers.services.search import read_filters
from crm_saas.blueprints.customers.services.shares import ACCESS_LABELS, company_today
from crm_saas.blueprints.customers.services.transfer import colleagues
from crm_saas.blueprints.pools.models import Pool
from crm_saas.core.errors import FieldErrors
from crm_saas.core.htmx import is_htmx
from crm_saas.core.jobs import QueueUnavailable
from crm_saas.core.permissions import can
from crm_saas.extensions import db

ACTION_LABELS = {
    "transfer": _l("Transfer"), "share": _l("Share"), "tag": _l("Add tags"), "untag": _l("Remove tags"),
    "campaign": _l("Set the campaign"), "release": _l("Release to the pool"), "delete": _l("Delete"),
    "export": _l("Export"),
}
NO_CAMPAIGN = "none"  # the dialog's "no campaign" choice: clears it (an empty choice is no choice at all)


def offered_actions(user):
    """The actions the bar offers ``user``: deleting and exporting need their rights."""
    needs = {"delete": "delete_customers", "export": "export"}
    return [(a, ACTION_LABELS[a]) for a in ACTIONS if a not in needs or can(user, needs[a])]


@bp.app_template_global()
def bulk_actions():
    return offered_actions(current_user)


def selection(form):
    """``{"ids": [...]}`` of the ticked rows, or ``{"filters": {...}}`` for all that match the list's filters."""
    if form.get("scope") == "filter":
        q, filters, _sort, _page = read_filters(form)
        if "custom" in filters:
            filters["custom"] = {k: list(v) if isinstance(v, tuple) else v for k, v in filters["custom"].items()}
        return {"filters": {"q": q, **filters} if q else filters}
    return {"ids": [int(i) for i in form.getlist("ids") if i.isdigit()]}


def _number(value):
    return int(value) if value and value.isdigit() else None


def action_fields(action, form):
    """What each action takes beside the selection, by the API's names (the form's avoid the list's filter names)."""
    if action == "transfer":
        return {"to": _number(form.get("to", "")), "reason": form.get("reason")}
    if action == "share":
        return {"user_id": _number(form.get("user_id", "")), "access": form.get("access") or "read",
                "until": form.get("until") or None}
    if action in ("tag", "untag"):
        return {"tags": form.get("bulk_tags", ""), "reason": form.get("reason")}
    if action == "release":
        return {"reason": form.get("reason"), "pool_id": _number(form.get("pool_id", ""))}
    if action == "campaign":
        chosen = form.get("bulk_campaign", "")
        return {"campaign_id": None if chosen == NO_CAMPAIGN else (_number(chosen) or ""), "reason": form.get("reason")}
    return {"reason": form.get("reason")}


def summary(result):
    count = result["count"]
    action = result["action"]
    if action == "transfer":
        parts = []
        if result["done"]:
            parts.append(ngettext("%(num)s customer transferred.", "%(num)s customers transferred.", result["done"]))
        if result["pending"]:
            parts.append(ngettext("%(num)s transfer waits for approval.", "%(num)s transfers wait for approval.",
                                  result["pending"]))
        if result["skipped"]:
            parts.append(ngettext("%(num)s customer already belonged to them.",
                                  "%(num)s customers already belonged to them.", result["skipped"]))
        return " ".join(parts)
    messages = {
        "share": ngettext("%(num)s customer shared.", "%(num)s customers shared.", count),
        "tag": ngettext("Tags added to %(num)s customer.", "Tags added to %(num)s customers.", count),
        "untag": ngettext("Tags removed from %(num)s customer.", "Tags removed from %(num)s customers.", count),
        "campaign": ngettext("Campaign set for %(num)s customer.", "Campaign set for %(num)s customers.", count),
        "release": ngettext("%(num)s customer released to the pool.", "%(num)s customers released to the pool.",
                            count),
        "delete": ngettext("%(num)s customer moved to the recycle bin.", "%(num)s customers moved to the recycle bin.",
                           count),
    }
    return messages[action]


@bp.route("/<action>/dialog")
@login_required
def dialog(action):
    """The fields one action asks for, in the list's dialog (loaded on demand: the list page stays light)."""
    if action not in dict(offered_actions(current_user)):
        abort(404)
    people = colleagues() if action in ("transfer", "share") else []
    pools = db.session.scalars(select(Pool).order_by(Pool.is_default.desc(), Pool.name)).all() \
        if action == "release" else []
    return render_template("bulk/_dialog.html", action=action, label=ACTION_LABELS[action], people=people,
                           pools=pools, access_labels=ACCESS_LABELS, today=company_today(),
                           direct=can(current_user, "transfer_customers"),
                           campaigns=campaign_choices() if action == "campaign" else [], no_campaign=NO_CAMPAIGN)


@bp.route("/<action>", methods=["POST"])
@login_required
def act(action):
    if action not in ACTIONS:
        abort(404)
    chosen = selection(request.form)
    if action == "export":
        return _export(chosen)
    context, status = {}, 200
    try:
        result = run(action, current_user, **chosen, **action_fields(action, request.form))
    except BulkForbidden as refused:
        return _forbidden(refused)
    except FieldErrors as refused:  # the bulk rules, or the pool's (release) and the others' they reuse
        context["bulk_errors"], status = refused.errors, 422
        context["bulk_selected"] = set(chosen.get("ids") or ())  # ticked again, to fix and send once more
        context["bulk_scope"] = "filter" if "filters" in chosen else "ids"
    else:
        context["bulk_message"] = summary(result)
    return render_template("customers/_results.html", **list_context(request.form), **context), status


def _export(chosen):
    try:
        export = run("export", current_user, **chosen)
    except BulkForbidden as refused:
        return _forbidden(refused)
    except FieldErrors as refused:
        message = " ".join(refused.messages)
        return render_template("exports/_progress.html", export=None, unavailable=message), 422
    except QueueUnavailable:
        return render_template("exports/_progress.html", export=None, unavailable=_(
            "Exports are unavailable for a moment: the job queue cannot be reached. Nothing was started; try again "
            "in a minute.")), 503, {"Retry-After": "60"}
    return render_template("exports/_progress.html", export=export)


def _forbidden(refused):
    message = " ".join(refused.messages)
    if is_htmx():
        return Response(message, status=403, mimetype="text/plain")
    abort(403)

