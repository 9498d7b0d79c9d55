"""Staff pages: the list, adding and editing people, username suggestions, departures (B1, B3).

The org tree and moves live in ``tree_routes.py`` on the same blueprint.
"""
import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user

from crm_saas.blueprints.staff import tree_routes  # noqa: F401  (its views hang on bp)
from crm_saas.blueprints.staff.blueprint import bp, manageable_person
from crm_saas.blueprints.staff.forms import DeactivateForm, EditStaffForm, StaffForm
from crm_saas.blueprints.staff.services import (
    EDITABLE,
    StaffError,
    create_staff,
    update_staff,
)
from crm_saas.blueprints.staff.services.departures import deactivate_staff, handover_counts, reactivate_staff
from crm_saas.blueprints.staff.services.usernames import suggest_username
from crm_saas.core.forms import apply_errors, has_errors
from crm_saas.core.htmx import render
from crm_saas.core.permissions import can, permission_required
from crm_saas.core.staff import PICKER_SCOPES, get_visible_staff, list_staff, pick_people
from crm_saas.core.visibility import subtree_ids

__all__ = ["bp"]


def _people_choices(exclude=()):
    """Active people the viewer may pick, as select choices."""
    return [(u.id, f"{u.name} ({u.username})") for u in list_staff(current_user, active=True) if u.id not in exclude]


@bp.route("/")
@login_required
def index():
    return render(
        "staff/index.html", "staff/_list.html",
        staff=list_staff(current_user), can_manage=can(current_user, "manage_staff"),
    )


@bp.route("/new", methods=["GET", "POST"])
@permission_required("manage_staff")
def new():
    form = StaffForm()
    form.limit_roles(current_user)
    form.superior_id.choices = [(0, _("(none)"))] + _people_choices()
    leftover = []
    if form.validate_on_submit():
        try:
            user = create_staff(form.data, actor=current_user)
        except StaffError as err:
            leftover = apply_errors(form, err.errors)
        else:
            flash(_("%(name)s has been added.", name=user.name), "success")
            return redirect(url_for("staff.index"))
    return render_template(
        "staff/new.html", form=form, leftover=leftover, suggested=request.form.get("suggested", ""),
    ), 422 if has_errors(form, leftover) else 200


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@login_required
def edit(user_id):
    person = manageable_person(user_id)
    form = EditStaffForm(obj=person)
    form.limit_roles(current_user)
    # Under oneself or one's own people would be a cycle: not offered (the service refuses it too).
    form.superior_id.choices = [(0, _("(none)"))] + _people_choices(exclude=subtree_ids(person.id))
    if request.method == "GET":
        form.superior_id.data = person.superior_id or 0
    leftover = []
    if form.validate_on_submit():
        data = {key: form.data[key] for key in EDITABLE}
        if form.password.data:
            data["password"] = form.password.data
        try:
            update_staff(person, data, actor=current_user)
        except StaffError as err:
            leftover = apply_errors(form, err.errors)
        else:
            if person.id == current_user.id and form.password.data:
                login_user(person)  # the reset rotated the session token: keep this session
            flash(_("%(name)s has been saved.", name=person.name), "success")
            return redirect(url_for("staff.index"))
    return render_template(
        "staff/edit.html", form=form, person=person, leftover=leftover,
    ), 422 if has_errors(form, leftover) else 200


@bp.route("/suggest-username", endpoint="suggest_username")
@permission_required("manage_staff")
def username_suggestion():
    """The username field with a suggestion for ``name``, unless the admin typed their own.

    ``suggested`` is the suggestion this field last showed: a username box
    that is empty or still holds it is ours to refresh, anything else is the
    admin's and is left alone.
    """
    typed = request.args.get("username", "").strip()
    suggested = request.args.get("suggested", "")
    if not typed or typed == suggested:
        typed = suggested = suggest_username(request.args.get("name", ""))
    form = StaffForm(formdata=None, username=typed)
    return render_template("staff/_username_field.html", form=form, suggested=suggested)


@bp.route("/<int:user_id>/deactivate", methods=["GET", "POST"])
@login_required
def deactivate(user_id):
    person = manageable_person(user_id)
    form = DeactivateForm()
    form.handover_to_id.choices = _people_choices(exclude={person.id})
    if request.method == "GET" and person.superior and person.superior.active:
        form.handover_to_id.data = person.superior_id
    leftover = []
    if form.validate_on_submit():
        colleague = get_visible_staff(current_user, form.handover_to_id.data)
        try:
            moved = deactivate_staff(person, form.handover_to_id.data, actor=current_user)
        except StaffError as err:
            leftover = apply_errors(form, err.errors, aliases={"handover_to": "handover_to_id"})
        else:
            flash(_departure_summary(person, colleague, moved), "success")
            return redirect(url_for("staff.index"))
    return render_template(
        "staff/deactivate.html", person=person, form=form, counts=handover_counts(person), leftover=leftover,
    ), 422 if has_errors(form, leftover) else 200


def _departure_summary(person, colleague, moved):
    """One sentence an admin can check against what they meant, e.g.

    Li Si deactivated: 12 customers and 3 deals handed to Wang Wu. 2 people now report to Zhang San.
    """
    text = _(
        "%(name)s deactivated: %(customers)s and %(deals)s handed to %(colleague)s.", name=person.name,
        customers=ngettext("%(num)s customer", "%(num)s customers", moved.get("customers", 0)),
        deals=ngettext("%(num)s deal", "%(num)s deals", moved.get("deals", 0)),
        colleague=colleague.name,
    )
    count = moved.get("subordinates", 0)
    if count and person.superior:
        text += " " + ngettext(
            "%(num)s person now reports to %(superior)s.", "%(num)s people now report to %(superior)s.",
            count, superior=person.superior.name,
        )
    elif count:
        text += " " + ngettext(
            "%(num)s person is now at the top level.", "%(num)s people are now at the top level.", count,
        )
    return text


@bp.route("/<int:user_id>/reactivate", methods=["POST"])
@login_required
def reactivate(user_id):
    person = manageable_person(user_id)
    try:
        reactivate_staff(person, actor=current_user)
    except StaffError as err:
        for messages in err.errors.values():
            for message in messages:
                flash(message, "error")
    else:
        flash(_("%(name)s can log in again.", name=person.name), "success")
    return redirect(url_for("staff.index"))


@bp.route("/choices")
@login_required
def choices():
    """A person picker's matches as one types (``_macros.person_picker``), in the scope the picker names."""
    scope = request.args.get("scope", "visible")
    target = request.args.get("target", "")
    if scope not in PICKER_SCOPES or not re.fullmatch(r"[a-z][a-z0-9-]{0,60}", target):
        abort(404)
    return render_template("staff/_choices.html", people=pick_people(current_user, scope, request.args.get("q", "")),
                           target=target, any_label=_PICKER_ANY.get(request.args.get("any", ""), ""),
                           teams=scope == "leaders", label=request.args.get("label", "")[:100])


# The first choice a picker may offer, which clears it, by what the picker is for.
_PICKER_ANY = {"owner": _l("Any owner"), "team": _l("Any team"), "unchanged": _l("Owner: unchanged")}
