"""The admin's forms for custom fields: fields and labels only; the rules are ``services.definition_errors``.

Field names match the service's data keys, so each ``CustomFieldError``
message lands beside the field it names.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField

from crm_saas.blueprints.custom_fields.services import TYPES
from crm_saas.core.forms import Required


def option_lines(text):
    """Options typed one per line; blank lines (a trailing newline) are not options."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class _DefinitionForm(FlaskForm):
    """What the add and edit forms share; ``field_data`` is the service's data shape."""

    label = StringField(_l("Label"), validators=[Required()])
    required = BooleanField(_l("Required"), description=_l("Records cannot be saved without a value."))
    options = TextAreaField(_l("Options"), description=_l("Single and multiple choice only: one option per line."),
                            render_kw={"rows": 4})

    def field_data(self, field=None):
        data = {"label": self.label.data, "required": self.required.data}
        if field is None or field.has_options:
            data["options"] = option_lines(self.options.data)
        return data


class EditFieldForm(_DefinitionForm):
    """What may change after creation: key and type stay, so stored values keep their meaning.

    Its inputs are prefixed ``edit-``: the edit form shows inside the same
    section as the add form, and ids must not repeat.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "edit")
        super().__init__(*args, **kwargs)


class FieldForm(_DefinitionForm):
    entity = HiddenField()
    key = StringField(_l("Key"), description=_l("Names the value in exports and the API; leave blank to make one "
                                                "from the label."))
    type = SelectField(_l("Type"), choices=[("", "—")] + list(TYPES.items()), validators=[Required()],
                       validate_choice=False)

    def field_data(self, field=None):
        return {**super().field_data(), "entity": self.entity.data, "key": self.key.data, "type": self.type.data}
