"""The org tree page and moves in it (B2).

A move answers with the whole tree as stored after it, accepted or refused,
so the page can never keep showing a drag the server did not accept.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm_saas.blueprints.staff.blueprint import bp, visible_person
from crm_saas.blueprints.staff.services import StaffError, move_staff
from crm_saas.blueprints.staff.services.tree import org_tree
from crm_saas.core.htmx import is_htmx, render
from crm_saas.core.permissions import can
from crm_saas.extensions import db


def _tree_context(message=None, level="success"):
    roots, people = org_tree(current_user)
    return {
        "roots": roots, "people": people, "message": message, "level": level,
        "can_manage": can(current_user, "manage_staff"),
    }


@bp.route("/tree")
@login_required
def tree():
    return render("staff/tree.html", "staff/_tree.html", **_tree_context())


@bp.route("/move", methods=["POST"])
@login_required
def move_form():
    """The tree's one Move form names the person in the body rather than the path."""
    raw = request.form.get("user_id", "").strip()
    if not raw.isdigit():
        abort(404)
    return move(int(raw))


@bp.route("/<int:user_id>/move", methods=["POST"])
@login_required
def move(user_id):
    """``superior_id`` empty makes ``user_id`` top-level; the whole subtree moves along."""
    person = visible_person(user_id)
    if not can(current_user, "manage_staff"):
        abort(403)
    raw = request.form.get("superior_id", "").strip()
    try:
        if raw and not raw.isdigit():
            raise StaffError({"superior_id": [_("Choose an active colleague as superior.")]})
        move_staff(person, int(raw) if raw else None, actor=current_user)
    except StaffError as err:
        db.session.rollback()  # nothing of the refused move stays, and the tree below is read as stored
        message = " ".join(err.messages)
        return render("staff/tree.html", "staff/_tree.html", **_tree_context(message, "error")), 422
    if person.superior:
        message = _("%(name)s now reports to %(superior)s.", name=person.name, superior=person.superior.name)
    else:
        message = _("%(name)s is now at the top level.", name=person.name)
    if not is_htmx():
        flash(message, "success")
        return redirect(url_for("staff.tree"))
    return render_template("staff/_tree.html", **_tree_context(message))
