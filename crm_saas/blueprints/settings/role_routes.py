"""The roles page (B4): the company's roles with how many people hold each; adding, renaming, deleting its own.

What each role may do is the permission matrix on the settings page. Every
answer, accepted or refused, is the whole list as stored (``_roles.html``
replaces itself), so the page never shows a role the server did not keep.
"""
from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from crm_saas.blueprints.settings.blueprint import bp
from crm_saas.blueprints.settings.forms import RenameRoleForm, RoleForm
from crm_saas.blueprints.settings.roles import (
    RoleError,
    all_roles,
    create_role,
    delete_role,
    get_role,
    holders,
    update_role,
)
from crm_saas.core.forms import apply_errors
from crm_saas.core.htmx import render
from crm_saas.core.permissions import permission_required
from crm_saas.core.views import found_or_404
from crm_saas.extensions import db


def _rename_form(role, formdata=None):
    return RenameRoleForm(formdata=formdata, prefix=f"role-{role.id}", data={"name": role.name})


def _page(add=None, renaming=None, message=None, error=None, status=200):
    """The list as stored, with the add form (``add``) or one row's rename form (``renaming``) as posted."""
    roles = all_roles()
    rename = {role.id: _rename_form(role) for role in roles if not role.built_in}
    if renaming is not None:
        rename[renaming[0]] = renaming[1]
    return render("settings/roles.html", "settings/_roles.html", roles=roles, holders=holders(), rename=rename,
                  add=add or RoleForm(formdata=None), message=message, error=error), status


@bp.route("/roles", methods=["GET", "POST"])
@permission_required("manage_settings")
def roles():
    """GET: the list. POST: add a role (with no rights yet: the matrix gives them)."""
    if request.method == "GET":
        return _page()
    form = RoleForm()
    if not form.validate_on_submit():
        return _page(add=form, status=422)
    try:
        role = create_role({"key": form.key.data, "name": form.name.data}, actor=current_user)
    except RoleError as err:
        db.session.rollback()
        leftover = apply_errors(form, err.errors)
        return _page(add=form, error=" ".join(leftover) or None, status=422)
    return _page(message=_("%(name)s added. Give it its rights in the permission matrix.", name=role.name))


@bp.route("/roles/<int:role_id>/rename", methods=["POST"])
@permission_required("manage_settings")
def rename_role(role_id):
    role = found_or_404(get_role(role_id))
    form = _rename_form(role, request.form)
    if not form.validate_on_submit():
        return _page(renaming=(role.id, form), status=422)
    old = role.name
    try:
        update_role(role, {"name": form.name.data}, actor=current_user)
    except RoleError as err:
        db.session.rollback()
        leftover = apply_errors(form, err.errors)
        return _page(renaming=(role.id, form), error=" ".join(leftover) or None, status=422)
    if old == role.name:
        return _page(message=_("Nothing changed."))
    return _page(message=_("%(old)s is now %(name)s.", old=old, name=role.name))


@bp.route("/roles/<int:role_id>/delete", methods=["POST"], endpoint="delete_role")
@permission_required("manage_settings")
def remove_role(role_id):
    role = found_or_404(get_role(role_id))
    name = role.name
    try:
        delete_role(role, actor=current_user)
    except RoleError as err:
        db.session.rollback()
        return _page(error=_("%(name)s was not deleted: %(why)s", name=name, why=" ".join(err.messages)),
                     status=422)
    return _page(message=_("%(name)s deleted.", name=name))
