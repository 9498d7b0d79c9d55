"""Custom field definitions: the rules for adding, editing, ordering and deleting them (C4).

Definitions are read by every customer and deal form, list, filter, API
call and export, so ``definitions`` reads them once per request. What a
definition means for the values stored under its key (checking, showing,
filtering, reading forms) is in ``values.py``, which knows no database;
callers use the names here, so one module answers about custom fields.
"""
import re
import unicodedata

from flask import g, has_request_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Text, cast, func, literal, select, update
from sqlalchemy.exc import IntegrityError

from crm_saas.blueprints.custom_fields.models import CustomField
from crm_saas.blueprints.custom_fields.services import values
from crm_saas.blueprints.custom_fields.services.values import display_value, filter_condition  # noqa: F401  (for callers)
from crm_saas.core import signals
from crm_saas.core.audit import record
from crm_saas.core.errors import FieldErrors
from crm_saas.extensions import db

TYPES = {
    "text": _l("Text"),
    "number": _l("Numeric"),
    "date": _l("Date"),
    "choice": _l("Single choice"),
    "multichoice": _l("Multiple choice"),
    "bool": _l("Yes/no"),
}
ENTITIES = {"customer": _l("Customers"), "deal": _l("Deals")}
CHOICE_TYPES = ("choice", "multichoice")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
KEY_MAX, LABEL_MAX, OPTION_MAX, OPTIONS_MAX = 40, 100, 100, 100
# What stays as it was created: stored values are filed under the key and shaped by the type.
IMMUTABLE = {
    "entity": _l("The record type cannot be changed after the field is created."),
    "key": _l("The key cannot be changed after the field is created."),
    "type": _l("The type cannot be changed after the field is created."),
}
_CACHE = "custom_field_definitions"


class CustomFieldError(FieldErrors):
    """A refused definition change, by field name (``entity``, ``key``, ``label``, ``type``, ``options``)."""


_HOLDERS = {}


def register_holder(entity, model):
    """Declare the model whose ``custom`` column holds the values of ``entity``'s fields.

    The features owning customers and deals register their models when they
    are wired (``init_app``): this feature strips and counts values through
    them without importing either.
    """
    _HOLDERS[entity] = model


def record_model(entity):
    """The model whose ``custom`` column holds the values of ``entity``'s fields."""
    return _HOLDERS[entity]


def definitions(entity):
    """The fields of ``entity`` in the admin's order; one query per entity and request.

    Cached on ``g`` only inside a request: a worker's app context may serve
    several companies one after another, and must not carry one's fields
    into the next.
    """
    cache = g.setdefault(_CACHE, {}) if has_request_context() else {}
    if entity not in cache:
        cache[entity] = db.session.scalars(
            select(CustomField).where(CustomField.entity == entity).order_by(CustomField.position, CustomField.id)
        ).all()
    return list(cache[entity])


def get_field(field_id):
    return db.session.get(CustomField, field_id)


def all_definitions():
    """Every field, by entity then position (the API's list)."""
    return db.session.scalars(
        select(CustomField).order_by(CustomField.entity, CustomField.position, CustomField.id)
    ).all()


def _forget():
    if has_request_context():
        g.pop(_CACHE, None)


def _text(value):
    """Stripped text; "" for missing or blank; None for a value that is not text at all."""
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else None


def _code(value):
    """A code as sent; "" for missing; None for a value that is not text (and so is no code)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else None


def definition_errors(data, *, field=None):
    """Every rule ``data`` breaks, by field name; judges a new field, or a change to ``field``.

    On a change only the keys present in ``data`` are judged. Values of the
    wrong JSON type are for the API's schema to report; here they count as
    invalid, so a careless caller can never store them.
    """
    errors = {}

    def add(name, message):
        errors.setdefault(name, []).append(str(message))

    if field is None:
        entity, kind = _code(data.get("entity")), _code(data.get("type"))
        if entity not in ENTITIES:
            add("entity", _("Record type is required.") if entity == "" else _("Choose a record type from the list."))
        if kind not in TYPES:
            add("type", _("Field type is required.") if kind == "" else _("Choose a field type from the list."))
    else:
        entity, kind = field.entity, field.type
        for name, message in IMMUTABLE.items():
            if name in data and data[name] != getattr(field, name):
                add(name, message)
    if field is None or "label" in data:
        label = _text(data.get("label"))
        if not label:
            add("label", _("Label is required.") if label == "" else _("Enter the label as text."))
        elif len(label) > LABEL_MAX:
            add("label", _("At most %(max)d characters.", max=LABEL_MAX))
        elif entity in ENTITIES and label.casefold() in {
                f.label.casefold() for f in definitions(entity) if field is None or f.id != field.id}:
            # Forms, list columns, filters and exports name a field by its label: two alike cannot be told apart.
            add("label", _("Another field of this record type already has this label."))
    if field is None:
        key = _text(data.get("key"))
        if key is None or (key and not KEY_RE.match(key)):
            add("key", _("Start with a lowercase letter, then use up to 39 lowercase letters, digits or _."))
        elif key and entity in ENTITIES and key in {f.key for f in definitions(entity)}:
            add("key", _("Another field of this record type already uses this key."))
    if kind in CHOICE_TYPES and (field is None or "options" in data):
        for message in _option_errors(data.get("options")):
            add("options", message)
    elif kind in TYPES and kind not in CHOICE_TYPES and data.get("options"):
        add("options", _("Only single and multiple choice fields have options."))
    return errors


def _option_errors(options):
    if options is None or options == []:
        return [_("Add at least one option.")]
    if not isinstance(options, list):
        return [_("Send the options as a list of text.")]
    errors, seen = [], set()
    if len(options) > OPTIONS_MAX:
        errors.append(_("At most %(max)d options.", max=OPTIONS_MAX))
    for option in options:
        text = _text(option)
        if text is None:
            errors.append(_("Each option must be text."))
        elif text == "":
            errors.append(_("Options cannot be blank."))
        elif len(text) > OPTION_MAX:
            errors.append(_("%(option)s: at most %(max)d characters.", option=text[:20] + "…", max=OPTION_MAX))
        elif text in seen:
            errors.append(_("%(option)s is listed twice.", option=text))
        seen.add(text)
    return list(dict.fromkeys(errors))


def _options(data):
    return [option.strip() for option in data.get("options") or []]


def derive_key(label, taken):
    """A key from a label: 客户级别 -> ``ke_hu_ji_bie``, ``_2``, ``_3`` ... when taken.

    Pinyin keeps keys readable for Chinese labels in exports and the API,
    where a client names the value by its key.
    """
    from pypinyin import lazy_pinyin  # noqa: PLC0415  (start-up cost: its dictionaries take 0.3 s to load)

    text = "_".join(lazy_pinyin(label))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "_", text).strip("_") or "field"
    if not base[0].isalpha():
        base = "f_" + base
    key, number = base[:KEY_MAX].rstrip("_"), 1
    while key in taken:
        number += 1
        suffix = f"_{number}"
        key = base[:KEY_MAX - len(suffix)].rstrip("_") + suffix
    return key


def _log_label(field):
    return f"{field.label} ({field.key})"


def _commit():
    try:
        db.session.commit()
    finally:
        _forget()


def _insert(field):
    """Add and flush ``field`` (the log entry needs its id).

    A key taken meanwhile by a concurrent request trips the unique
    constraint here: that is a rule error, not a crash.
    """
    db.session.add(field)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        _forget()
        raise CustomFieldError({"key": [_("Another field of this record type already uses this key.")]}) from None


def create_field(data, *, actor):
    """Add a field at the end of its entity's list; the key comes from the label when none is given."""
    errors = definition_errors(data)
    if errors:
        raise CustomFieldError(errors)
    existing = definitions(data["entity"])
    label = _text(data["label"])
    field = CustomField(
        entity=data["entity"], label=label, type=data["type"], required=bool(data.get("required")),
        key=_text(data.get("key")) or derive_key(label, {f.key for f in existing}),
        options=_options(data) if data["type"] in CHOICE_TYPES else [],
        position=max((f.position for f in existing), default=-1) + 1,
    )
    _insert(field)
    record("custom_field_created", field, actor=actor, target_type="custom_field", label=_log_label(field),
           entity=field.entity, key=field.key, type=field.type, required=field.required, options=field.options)
    _commit()
    return field


def update_field(field, data, *, actor):
    """Change the label, required flag, options or position; key, type and entity stay as created.

    Removing an option leaves records that hold it as they are: the value
    still shows, and the next save of such a record asks for a listed one.
    """
    errors = definition_errors(data, field=field)
    if errors:
        raise CustomFieldError(errors)
    wanted = {}
    if "label" in data:
        wanted["label"] = _text(data["label"])
    if data.get("required") is not None:
        wanted["required"] = bool(data["required"])
    if "options" in data and field.type in CHOICE_TYPES:
        wanted["options"] = _options(data)
    changes = {name: [getattr(field, name), value] for name, value in wanted.items() if getattr(field, name) != value}
    for name, (_old, value) in changes.items():
        setattr(field, name, value)
    if data.get("position") is not None:
        order = [f for f in definitions(field.entity) if f.id != field.id]
        old = [f.id for f in definitions(field.entity)].index(field.id)
        order.insert(max(0, min(int(data["position"]), len(order))), field)
        if _apply_order(order):
            changes["position"] = [old, order.index(field)]
    if changes:
        record("custom_field_updated", field, actor=actor, target_type="custom_field", label=_log_label(field),
               changes=changes)
        _commit()
    return field


def _apply_order(fields):
    """Number ``fields`` 0, 1, 2 ...; whether any position changed."""
    changed = False
    for position, field in enumerate(fields):
        if field.position != position:
            field.position, changed = position, True
    return changed


def reorder_fields(entity, ids, *, actor):
    """Put ``entity``'s fields in the order of ``ids``; fields not named keep their order after them."""
    if entity not in ENTITIES:
        raise CustomFieldError({"entity": [_("Choose a record type from the list.")]})
    current = definitions(entity)
    by_id = {f.id: f for f in current}
    if not isinstance(ids, (list, tuple)) or len(set(ids)) != len(ids) or any(i not in by_id for i in ids):
        raise CustomFieldError({"ids": [_("Name each field of this record type at most once.")]})
    order = [by_id[i] for i in ids] + [f for f in current if f.id not in set(ids)]
    if _apply_order(order):
        record("custom_fields_reordered", None, actor=actor, target_type="custom_field",
               label=entity, entity=entity, order=[f.key for f in order])
        _commit()
    return order


def records_with_values(field):
    """How many records (in the recycle bin too) hold a value for ``field``: what deleting it erases."""
    model = record_model(field.entity)
    return db.session.scalar(select(func.count()).select_from(model).where(model.custom.has_key(field.key)))


def delete_field(field, *, actor):
    """Delete the definition and its values from every record of its entity, in one transaction.

    One set-based UPDATE (``custom = custom - key`` where ``custom ? key``,
    a test the GIN index on customers serves), not a loop over records: a
    company may hold 100k customers.
    Returns how many records lost a value.
    """
    model, key = record_model(field.entity), field.key
    # Sent before the values go, in the same transaction: the customers' change log keeps what they said.
    signals.custom_field_deleting.send(field, actor=actor)
    stripped = db.session.execute(
        update(model).where(model.custom.has_key(key))
        .values(custom=model.custom.op("-")(cast(literal(key), Text)))
        .execution_options(synchronize_session=False)
    ).rowcount
    record("custom_field_deleted", field, actor=actor, target_type="custom_field", label=_log_label(field),
           entity=field.entity, key=key, type=field.type, records=stripped)
    db.session.delete(field)
    _commit()
    return stripped


def clean_values(entity, raw, *, partial=False):
    """``(values, errors)``: ``raw`` checked against ``entity``'s fields (see ``values.clean``).

    With ``partial`` (a PATCH) only the keys sent are judged; merge the
    result as ``{k: v for k, v in old.items() if k not in raw} | values``, so
    a key sent empty is cleared and a key not sent is kept.
    """
    return values.clean(definitions(entity), raw, partial=partial)


def form_values(entity, formdata):
    """The raw values of ``entity``'s fields in a submitted form (inputs named ``custom-<key>``)."""
    return values.read_form(definitions(entity), formdata)
