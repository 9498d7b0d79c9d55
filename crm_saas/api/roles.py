"""Roles and their rights (API.md ``roles``): the built-in three and the company's own, each with what it holds.

``rights`` is what the role holds, in the matrix's order (modules, then
actions). Built-in roles answer with ``built_in: true`` and their translated
name: admins hold everything and cannot change; supervisors and reps reach
every module, so only their actions change (a rights list must keep every
module). Reading needs ``manage_settings`` or ``manage_staff`` (staff
managers give people roles); changing needs ``manage_settings``. The rules
are the settings feature's (blueprints/settings/roles.py), shared with the
pages.
"""
from functools import wraps

import marshmallow as ma
from flask_login import current_user
from marshmallow import fields

from crm_saas.api import api_blueprint
from crm_saas.api.errors import api_abort
from crm_saas.api.schemas import InputSchema
from crm_saas.blueprints.settings.roles import (
    all_roles,
    create_role,
    delete_role,
    get_role,
    role_data,
    update_role,
)
from crm_saas.core.permissions import PERMISSIONS, can
from crm_saas.core.views import found_or_404

bp = api_blueprint("api_roles", __name__, "Roles and their rights (the permission matrix).")

RIGHTS = {"enum": list(PERMISSIONS)}


class RoleSchema(ma.Schema):
    id = fields.Integer()
    key = fields.String(metadata={"description": "What a person's `role` holds (admin, supervisor, rep, or the "
                                                 "company's own)."})
    name = fields.String(metadata={"description": "Built-in roles: their name in the caller's language."})
    rights = fields.List(fields.String(metadata=RIGHTS), metadata={
        "description": "What the role holds: modules (customers, deals, service, campaigns, reports, pool) open a "
                       "part of the product, actions let one do a thing in it."})
    built_in = fields.Boolean(metadata={"description": "admin, supervisor and rep: not deleted, not renamed."})


class RoleInputSchema(InputSchema):
    """Types only; the service names every bad or missing field in one 422."""

    key = fields.String(allow_none=True, metadata={
        "description": "2-20 lowercase letters, digits or underscores; default role_<n>. Cannot change later."})
    name = fields.String(allow_none=True, metadata={"description": "Required on creation; unique, at most 60."})
    rights = fields.List(fields.String(metadata=RIGHTS), allow_none=True, metadata={
        "description": "Every right the role holds (replaces the list). Built-in supervisor and rep: every "
                       "module stays in, only actions change. Default on creation: none."})


def needs(*rights):
    """403 unless the caller holds one of ``rights``, checked before the body is read: the same answer whatever
    a caller without them sends."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not any(can(current_user, right) for right in rights):
                api_abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


@bp.route("/roles", methods=["GET"])
@needs("manage_settings", "manage_staff")
@bp.response(200, RoleSchema(many=True))
@bp.alt_response(403, description="Reading roles needs the right to manage settings or staff.")
def list_roles():
    """Every role: admin, supervisor, rep, then the company's own in the order they were added"""
    return [role_data(role) for role in all_roles()]


@bp.route("/roles", methods=["POST"])
@needs("manage_settings")
@bp.arguments(RoleInputSchema)
@bp.response(201, RoleSchema)
@bp.alt_response(403, description="Changing roles needs the right to manage settings.")
def create(data):
    """Add a role with its rights"""
    return role_data(create_role(data, actor=current_user))


@bp.route("/roles/<int:role_id>", methods=["PATCH"])
@needs("manage_settings")
@bp.arguments(RoleInputSchema)
@bp.response(200, RoleSchema)
@bp.alt_response(403, description="Changing roles needs the right to manage settings.")
@bp.alt_response(404, description="No such role.")
def patch(data, role_id):
    """Rename a role or replace its rights (admin: never; supervisor and rep: their actions)"""
    role = found_or_404(get_role(role_id))
    return role_data(update_role(role, data, actor=current_user))


@bp.route("/roles/<int:role_id>", methods=["DELETE"])
@needs("manage_settings")
@bp.response(204)
@bp.alt_response(403, description="Changing roles needs the right to manage settings.")
@bp.alt_response(404, description="No such role.")
@bp.alt_response(409, description="People hold the role: `holders` says how many; give them another role first.")
def delete(role_id):
    """Delete a company's own role that nobody holds (built-in roles stay)"""
    delete_role(found_or_404(get_role(role_id)), actor=current_user)
