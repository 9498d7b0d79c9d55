"""Custom field definitions (C4): anyone signed in reads them, holders of ``manage_settings`` change them.

Every caller may read them, since the ``custom`` object of a customer or
deal is written by their keys and shaped by their types. The input schemas
run the services' own rules (``definition_errors``) on every value that
loaded, so JSON type errors and rule errors come back together in one 422;
a field whose value failed to load is reported by its type error alone.
Writes are checked before the body is read, so a rep gets the same 403
whatever they send.
"""
from functools import wraps

import marshmallow as ma
from flask import request
from flask_login import current_user
from marshmallow import fields, validate, validates_schema

from crm_saas.api import api_blueprint
from crm_saas.api.errors import api_abort
from crm_saas.api.schemas import InputSchema
from crm_saas.blueprints.custom_fields import services
from crm_saas.core.permissions import can
from crm_saas.core.views import found_or_404

bp = api_blueprint("api_custom_fields", __name__, "Custom field definitions of customers and deals.")

# What a new field cannot do without; judged as missing when not sent at all.
REQUIRED = ("entity", "label", "type")


class CustomFieldSchema(ma.Schema):
    id = fields.Integer()
    entity = fields.String(metadata={"enum": list(services.ENTITIES)})
    key = fields.String(metadata={"description": "Names the value in the records' custom object."})
    label = fields.String()
    type = fields.String(metadata={"enum": list(services.TYPES)})
    required = fields.Boolean()
    options = fields.List(fields.String(), metadata={"description": "The choices of choice and multichoice fields."})
    position = fields.Integer(metadata={"description": "Order among the fields of its entity, from 0."})


def _rule_errors(errors, original_data, data):
    """The rules' errors, less those of fields whose value was sent but did not load (already reported)."""
    failed = {name for name in original_data if name not in data}
    return {name: messages for name, messages in errors.items() if name not in failed}


class CustomFieldInputSchema(InputSchema):
    """No field is marked required, so one 422 names every missing one."""

    entity = fields.String(allow_none=True, metadata={"enum": list(services.ENTITIES), "description": "Required."})
    key = fields.String(
        allow_none=True,
        metadata={"description": "A lowercase letter, then up to 39 lowercase letters, digits or _; unique per "
                                 "entity. Default: made from the label (pinyin for Chinese). Cannot change."},
    )
    label = fields.String(allow_none=True, metadata={"description": "Required; at most 100 characters."})
    type = fields.String(allow_none=True,
                         metadata={"enum": list(services.TYPES), "description": "Required. Cannot change."})
    required = fields.Boolean(allow_none=True, metadata={"description": "Default: false."})
    options = fields.List(
        fields.String(), allow_none=True,
        metadata={"description": "choice and multichoice: 1-100 distinct options of at most 100 characters."},
    )


class CustomFieldCreateSchema(CustomFieldInputSchema):
    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def business_rules(self, data, original_data, **kwargs):
        if not isinstance(original_data, dict):
            return
        judged = {**{name: None for name in REQUIRED if name not in original_data}, **data}
        errors = _rule_errors(services.definition_errors(judged), original_data, data)
        if errors:
            raise ma.ValidationError(errors)


class CustomFieldUpdateSchema(CustomFieldInputSchema):
    """Any of label, required, options, position; entity, key and type may be sent back unchanged only."""

    position = fields.Integer(
        allow_none=True, validate=validate.Range(min=0),
        metadata={"description": "Move the field to this place among its entity's fields (0 is first)."},
    )

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def business_rules(self, data, original_data, **kwargs):
        field = services.get_field(request.view_args["field_id"])
        if field is None or not isinstance(original_data, dict):
            return
        errors = _rule_errors(services.definition_errors(data, field=field), original_data, data)
        if errors:
            raise ma.ValidationError(errors)


class CustomFieldListArgs(InputSchema):
    entity = fields.String(validate=validate.OneOf(list(services.ENTITIES)),
                           metadata={"description": "Only this entity's fields. Default: both."})


def managing(view):
    """Writes: 404 for an unknown ``field_id``, then 403 without ``manage_settings``."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if "field_id" in kwargs:
            field = found_or_404(services.get_field(kwargs.pop("field_id")))
            kwargs["field"] = field
        if not can(current_user, "manage_settings"):
            api_abort(403)
        return view(*args, **kwargs)

    return wrapper


@bp.route("/custom-fields", methods=["GET"])
@bp.arguments(CustomFieldListArgs, location="query")
@bp.response(200, CustomFieldSchema(many=True))
def list_fields(args):
    """The custom fields, by entity and then in the order forms show them"""
    entity = args.get("entity")
    return services.definitions(entity) if entity else services.all_definitions()


@bp.route("/custom-fields", methods=["POST"])
@managing
@bp.arguments(CustomFieldCreateSchema)
@bp.response(201, CustomFieldSchema)
@bp.alt_response(403, description="The caller may not manage settings.")
def create_field(data):
    """Add a field after the entity's other fields"""
    return services.create_field(data, actor=current_user)


@bp.route("/custom-fields/<int:field_id>", methods=["GET"])
@bp.response(200, CustomFieldSchema)
@bp.alt_response(404, description="No such field.")
def get_field(field_id):
    """One field"""
    return found_or_404(services.get_field(field_id))


@bp.route("/custom-fields/<int:field_id>", methods=["PATCH"])
@managing
@bp.arguments(CustomFieldUpdateSchema)
@bp.response(200, CustomFieldSchema)
@bp.alt_response(403, description="The caller may not manage settings.")
@bp.alt_response(404, description="No such field.")
def update_field(data, field):
    """Change the label, required flag, options or position; key, type and entity stay as created"""
    return services.update_field(field, data, actor=current_user)


@bp.route("/custom-fields/<int:field_id>", methods=["DELETE"])
@managing
@bp.response(204)
@bp.alt_response(403, description="The caller may not manage settings.")
@bp.alt_response(404, description="No such field.")
def delete_field(field):
    """Delete the field and remove its value from every record of its entity"""
    services.delete_field(field, actor=current_user)
