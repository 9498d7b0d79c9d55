"""An agency's staff tree (A3, managed as a company's is, B1-B3): list, tree, add, edit, move, departure.

Agency admins manage the whole agency, supervisors the people below them;
a rep manages nobody, so these pages are 404 to reps (the menu does not
offer them either). Who sees whom is ``tenants.agencies.visible_staff``,
what may change is ``services.staff``: the pages only carry the values.
"""
from functools import wraps

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from crm_saas.blueprints.platform.blueprint import agency_required, bp
from crm_saas.blueprints.platform.services import staff as service
from crm_saas.blueprints.platform.staff_forms import (
    ROLE_LABELS,
    AgencyStaffForm,
    DepartureForm,
    EditAgencyStaffForm,
)
from crm_saas.core.errors import FieldErrors
from crm_saas.core.forms import apply_errors, has_errors
from crm_saas.core.htmx import is_htmx, render
from crm_saas.extensions import db
from crm_saas.tenants.agencies import free_codes


def leads_required(view):
    """Agency admins and supervisors (the people who manage someone); reps and operators get 404."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not service.may_manage(current_user):
            abort(404)
        return view(*args, **kwargs)

    return agency_required(wrapper)


def _manageable(person_id):
    """The person, if the viewer sees them and may change them; else 404 (never 403: not theirs to know of)."""
    person = service.get_visible_person(current_user, person_id)
    if person is None or not service.may_manage(current_user, person):
        abort(404)
    return person


def _is_admin():
    return current_user.role == "admin"


@bp.route("/staff")
@leads_required
def staff():
    people = db.session.scalars(service.staff_statement(current_user, q=request.args.get("q"))).all()
    counts = service.company_counts([p.id for p in people])
    return render_template("platform/staff.html", people=people, counts=counts, roles=ROLE_LABELS,
                           q=request.args.get("q", ""), may_manage=service.may_manage)


@bp.route("/staff/new", methods=["GET", "POST"])
@leads_required
def staff_new():
    form = AgencyStaffForm()
    form.offer(current_user, free_codes(current_user.agency), service.superior_choices(current_user),
               top_level=_is_admin())
    if request.method == "GET":
        form.superior_id.data = current_user.id  # a new person reports to whoever adds them, unless they choose
    leftover = []
    if form.validate_on_submit():
        try:
            person = service.create_staff(form.service_data(), actor=current_user)
        except FieldErrors as err:
            leftover = apply_errors(form, err.errors)
        else:
            flash(_("%(name)s has been added with code %(code)s. They choose their own password at first sign-in.",
                    name=person.name, code=person.code), "success")
            return redirect(url_for("platform.staff"))
    return render_template("platform/staff_new.html", form=form, leftover=leftover,
                           suggested=request.form.get("suggested", "")), 422 if has_errors(form, leftover) else 200


@bp.route("/staff/suggest-username")
@leads_required
def staff_suggest_username():
    """The username field with a pinyin suggestion for ``name``, unless the box holds a name someone typed.

    ``suggested`` is what this field last suggested: a box that is empty or
    still holds it is ours to refresh, anything else is left alone.
    """
    typed = request.args.get("username", "").strip()
    suggested = request.args.get("suggested", "")
    if not typed or typed == suggested:
        typed = suggested = service.suggest(request.args.get("name", ""))
    form = AgencyStaffForm(formdata=None, username=typed)
    return render_template("platform/_staff_username.html", form=form, suggested=suggested)


@bp.route("/staff/<int:person_id>/edit", methods=["GET", "POST"])
@leads_required
def staff_edit(person_id):
    person = _manageable(person_id)
    if not person.active:
        abort(404)
    form = EditAgencyStaffForm(obj=person)
    form.offer(current_user, [person.code] + free_codes(person.agency) if person.code else free_codes(person.agency),
               service.superior_choices(current_user, person), top_level=_is_admin())
    leftover = []
    if form.validate_on_submit():
        try:
            service.update_staff(person, form.service_data(), actor=current_user)
        except FieldErrors as err:
            leftover = apply_errors(form, err.errors)
        else:
            flash(_("%(name)s has been saved.", name=person.name), "success")
            return redirect(url_for("platform.staff"))
    return render_template("platform/staff_edit.html", form=form, person=person, leftover=leftover
                           ), 422 if has_errors(form, leftover) else 200


# -- the tree and moves --------------------------------------------------------------------------------------------

def _tree_context(message=None, level="success"):
    roots, people = service.agency_tree(current_user)
    movable = [p for p in people if service.may_manage(current_user, p)]
    return {"roots": roots, "people": movable, "targets": people, "roles": ROLE_LABELS, "message": message,
            "level": level, "top_level": _is_admin()}


@bp.route("/staff/tree")
@leads_required
def staff_tree():
    return render("platform/staff_tree.html", "platform/_staff_tree.html", **_tree_context())


@bp.route("/staff/move", methods=["POST"])
@leads_required
def staff_move_form():
    """The tree's Move form names the person in the body rather than the path."""
    raw = request.form.get("person_id", "").strip()
    if not raw.isdigit():
        abort(404)
    return staff_move(int(raw))


@bp.route("/staff/<int:person_id>/move", methods=["POST"])
@leads_required
def staff_move(person_id):
    """``superior_id`` empty puts ``person_id`` at the top (admins only); the whole subtree moves along.

    The answer is the tree as stored, moved or refused (422, with why), so
    a drag the server refused never stays on the page. Someone the viewer
    sees but may not move (themselves, for a supervisor) is refused the same way.
    """
    person = service.get_visible_person(current_user, person_id)
    if person is None:
        abort(404)
    raw = request.form.get("superior_id", "").strip()
    try:
        if raw and not raw.isdigit():
            raise FieldErrors({"superior_id": [_("Choose an active colleague as superior.")]})
        service.update_staff(person, {"superior_id": int(raw) if raw else None}, actor=current_user)
    except FieldErrors as err:
        db.session.rollback()
        message = " ".join(err.messages)
        if not is_htmx():
            flash(message, "error")
            return redirect(url_for("platform.staff_tree"))
        return render_template("platform/_staff_tree.html", **_tree_context(message, "error")), 422
    if person.superior:
        message = _("%(name)s now reports to %(superior)s, with their whole team.", name=person.name,
                    superior=person.superior.name)
    else:
        message = _("%(name)s is now at the top level, with their whole team.", name=person.name)
    if not is_htmx():
        flash(message, "success")
        return redirect(url_for("platform.staff_tree"))
    return render_template("platform/_staff_tree.html", **_tree_context(message))


# -- departure -----------------------------------------------------------------------------------------------------

@bp.route("/staff/<int:person_id>/deactivate", methods=["GET", "POST"])
@leads_required
def staff_deactivate(person_id):
    """离职: pick a colleague; the person's companies and direct reports pass to them in one action."""
    person = _manageable(person_id)
    if not person.active or person.id == current_user.id:
        abort(404)
    form = DepartureForm()
    colleagues = service.handover_choices(current_user, person)
    form.handover_to.choices = [("", _("Choose a colleague"))] + [
        (p.id, f"{p.name} · {p.code or p.username}") for p in colleagues]
    if request.method == "GET" and person.superior_id in {p.id for p in colleagues}:
        form.handover_to.data = person.superior_id
    leftover = []
    if form.validate_on_submit():
        try:
            moved = service.deactivate_staff(person, form.handover_to.data, actor=current_user)
        except FieldErrors as err:
            leftover = apply_errors(form, err.errors)
        else:
            colleague = db.session.get(type(person), form.handover_to.data)
            flash(_("%(name)s has left: %(companies)s handed to %(colleague)s. They can no longer sign in, and "
                    "their code signs no company up.", name=person.name, colleague=colleague.name,
                    companies=ngettext("%(num)s company", "%(num)s companies", moved)), "success")
            return redirect(url_for("platform.staff"))
    return render_template("platform/staff_deactivate.html", person=person, form=form,
                           counts=service.handover_counts(person), leftover=leftover
                           ), 422 if has_errors(form, leftover) else 200
