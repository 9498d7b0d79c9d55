"""Custom field pages (C4) for holders of ``manage_settings``: list per record type, add, edit, order, delete.

Every action answers with ``custom_fields/_list.html``, the section that
holds the tabs, the table and the add form: htmx swaps it in place, and a
plain form post gets a redirect (after success) or the whole page (with
errors). Editing and the delete confirmation are states of that same
section, so they also work as plain links.
"""
from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from crm_saas.blueprints.custom_fields.forms import EditFieldForm, FieldForm
from crm_saas.blueprints.custom_fields.services import (
    ENTITIES,
    TYPES,
    CustomFieldError,
    create_field,
    definitions,
    delete_field,
    get_field,
    records_with_values,
    reorder_fields,
    update_field,
)
from crm_saas.core.forms import apply_errors, has_errors
from crm_saas.core.htmx import is_htmx, render
from crm_saas.core.permissions import permission_required
from crm_saas.core.views import found_or_404
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("custom_fields", __name__, url_prefix="/settings/fields"), TENANT_SCOPE)


def _entity(value):
    return value if value in ENTITIES else "customer"


def _field(field_id):
    return found_or_404(get_field(field_id))


def _section(entity, *, status=200, add_form=None, **state):
    """The page, or for htmx the list section alone, in the given state (editing, confirming, message ...)."""
    if add_form is None:
        add_form = FieldForm(formdata=None, entity=entity)
    return render(
        "custom_fields/index.html", "custom_fields/_list.html",
        entity=entity, entities=ENTITIES, types=TYPES, fields=definitions(entity), add_form=add_form, **state,
    ), status


def _done(entity, message):
    if is_htmx():
        return _section(entity, message=message)
    flash(message, "success")
    return redirect(url_for("custom_fields.index", entity=entity))


@bp.route("/")
@permission_required("manage_settings")
def index():
    return _section(_entity(request.args.get("entity")))


@bp.route("/", methods=["POST"])
@permission_required("manage_settings")
def create():
    form = FieldForm()
    entity = _entity(form.entity.data)
    leftover = []
    if form.validate_on_submit():
        try:
            field = create_field(form.field_data(), actor=current_user)
        except CustomFieldError as err:
            leftover = apply_errors(form, err.errors)
        else:
            return _done(field.entity, _("%(label)s has been added.", label=field.label))
    return _section(entity, add_form=form, leftover=leftover, status=422 if has_errors(form, leftover) else 200)


@bp.route("/<int:field_id>/edit", methods=["GET", "POST"])
@permission_required("manage_settings")
def edit(field_id):
    field = _field(field_id)
    form = EditFieldForm(data={"label": field.label, "required": field.required, "options": "\n".join(field.options)})
    leftover = []
    if form.validate_on_submit():
        try:
            update_field(field, form.field_data(field), actor=current_user)
        except CustomFieldError as err:
            leftover = apply_errors(form, err.errors)
        else:
            return _done(field.entity, _("%(label)s has been saved.", label=field.label))
    return _section(field.entity, editing=field, edit_form=form, leftover=leftover,
                    status=422 if has_errors(form, leftover) else 200)


@bp.route("/<int:field_id>/move", methods=["POST"])
@permission_required("manage_settings")
def move(field_id):
    """One step up or down; at either end (or for another direction) nothing moves."""
    field = _field(field_id)
    ids = [f.id for f in definitions(field.entity)]
    index = ids.index(field.id)
    other = index + {"up": -1, "down": 1}.get(request.form.get("direction"), 0)
    if other != index and 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
        reorder_fields(field.entity, ids, actor=current_user)
    return _done(field.entity, _("Order saved."))


@bp.route("/<int:field_id>/delete", methods=["GET", "POST"])
@permission_required("manage_settings")
def delete(field_id):
    """GET asks first, saying how many records lose a value; POST deletes."""
    field = _field(field_id)
    if request.method == "GET":
        return _section(field.entity, confirming=field, holders=records_with_values(field))
    label, entity = field.label, field.entity
    stripped = delete_field(field, actor=current_user)
    return _done(entity, ngettext("%(label)s has been deleted, with its value on %(num)s record.",
                                  "%(label)s has been deleted, with its values on %(num)s records.",
                                  stripped, label=label))
