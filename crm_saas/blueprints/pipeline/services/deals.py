"""Deals (D1): the rules for creating and editing them, in one place for forms and the API.

``deal_errors`` judges plain data in the API's shape and names every broken
rule; ``create_deal`` and ``update_deal`` apply data that passed. Every edit
bumps ``Deal.version`` and is written to the deal's change log; stage moves
go through ``moves.move_deal`` and its own history (D5).
"""
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm_saas.blueprints.custom_fields.services import clean_values
from crm_saas.blueprints.customers.services.shares import read_only_refusal
from crm_saas.blueprints.pipeline.models import Deal, DealChange, DealStageChange
from crm_saas.blueprints.pipeline.services import default_pipeline, end_position, get_pipeline, get_stage
from crm_saas.blueprints.pipeline.services.defaults import stage_label
from crm_saas.core.base import utcnow
from crm_saas.core.campaign_refs import campaign_exists, campaign_names
from crm_saas.core.errors import Conflict, FieldErrors
from crm_saas.core.staff import get_assignable
from crm_saas.core.users import User
from crm_saas.core.validators import holds_resident_id, resident_id_errors, resident_id_message
from crm_saas.extensions import db

NAME_MAX, KEY_ACTIONS_MAX, PRODUCTS_MAX, PRODUCT_NAME_MAX = 200, 2000, 50, 100
AMOUNT_MAX = Decimal("999999999999.99")
# Fields an edit may change, as the change log names them.
EDITABLE = ("name", "amount", "expected_close", "probability", "owner_id", "products", "key_actions", "campaign_id")


# Free text of a deal, as the form labels it, where a resident ID number is refused (C12).
TEXT_LABELS = {"name": _l("Deal name"), "key_actions": _l("Key actions")}


class DealError(FieldErrors):
    """Refused deal change: field name -> messages (a 422 in the API, messages beside fields on pages)."""


class StaleDeal(DealError, Conflict):
    """A change made from an older ``version`` of the deal: nothing was changed."""


def deal_errors(data, *, actor, partial=False):
    """``(values, errors)``: the fields present in ``data`` parsed, and every rule they break.

    ``partial`` judges only what was sent (a PATCH); otherwise missing
    required fields are errors too.
    """
    errors, values = {}, {}
    if not partial or "name" in data:
        name = data.get("name")
        name = name.strip() if isinstance(name, str) else ""
        if not name:
            errors["name"] = [_("Deal name is required.")]
        elif len(name) > NAME_MAX:
            errors["name"] = [_("Deal name: at most %(max)d characters.", max=NAME_MAX)]
        values["name"] = name
    if "amount" in data and data.get("amount") not in (None, ""):
        values["amount"] = _money(data["amount"], "amount", errors)
    if "expected_close" in data:
        values["expected_close"] = _date(data.get("expected_close"), errors)
    if "probability" in data and data.get("probability") not in (None, ""):
        values["probability"] = _probability(data["probability"], errors)
    if "products" in data:
        values["products"] = _products(data.get("products"), errors)
        if "amount" not in values and values["products"] and not partial and not _has(errors, "products"):
            values["amount"] = sum((Decimal(p["quantity"]) * Decimal(p["price"]) for p in values["products"]),
                                   Decimal(0)).quantize(Decimal("0.01"))
    if "key_actions" in data:
        text = data.get("key_actions") if isinstance(data.get("key_actions"), str) else ""
        text = text.strip()
        if not isinstance(data.get("key_actions"), (str, type(None))):
            errors["key_actions"] = [_("Key actions: enter text.")]
        elif len(text) > KEY_ACTIONS_MAX:
            errors["key_actions"] = [_("Key actions: at most %(max)d characters.", max=KEY_ACTIONS_MAX)]
        values["key_actions"] = text or None
    for field, messages in resident_id_errors(values, TEXT_LABELS).items():
        errors.setdefault(field, []).extend(messages)
    for index, line in enumerate(values.get("products") or ()):
        if holds_resident_id(line.get("name")):
            errors.setdefault(f"products.{index}.name", []).append(resident_id_message(_l("Product")))
    if data.get("owner_id") not in (None, "", actor.id):
        if assignable_owner(actor, data["owner_id"]) is None:
            errors["owner_id"] = [_("Choose yourself or someone you manage as the owner.")]
        values["owner_id"] = data["owner_id"]
    if "campaign_id" in data:
        _campaign(data.get("campaign_id"), values, errors)
    if "custom" in data or not partial:
        values["custom"], custom_errors = clean_values("deal", data.get("custom") or {}, partial=partial)
        errors.update(custom_errors)
    return values, errors


def _has(errors, prefix):
    return any(key == prefix or key.startswith(prefix + ".") for key in errors)


def assignable_owner(actor, owner_id):
    """An active person ``actor`` may make a deal's owner: themselves or someone they see, else None."""
    return get_assignable(actor, owner_id)


def create_deal(data, *, actor, customer):
    """A new deal on ``customer`` in the chosen stage (default: the pipeline's first), at the column's end.

    ``customer`` is None when the caller named none it may see: that is one
    more field error, reported with the others rather than before them.
    """
    values, errors = deal_errors(data, actor=actor)
    if customer is None:
        errors["customer_id"] = [_("Choose a customer you can see.")]
    elif customer.status != "active":
        errors["customer_id"] = [_("Deals can be added once the customer has been approved.")]
    elif read_only_refusal(actor, customer):
        errors["customer_id"] = [read_only_refusal(actor, customer)]
    pipeline = get_pipeline(data["pipeline_id"]) if data.get("pipeline_id") else default_pipeline()
    stage = None
    if data.get("stage_id"):
        stage = get_stage(data["stage_id"])
        if stage is None or stage.removed_at is not None or (pipeline and stage.pipeline_id != pipeline.id):
            errors["stage_id"] = [_("Choose a stage of this pipeline.")]
        elif stage.kind == "lost":
            errors["stage_id"] = [_("A new deal cannot start as lost.")]
    elif pipeline is not None:
        stage = next((s for s in pipeline.stages if s.kind == "open"), pipeline.stages[0])
    if pipeline is None:
        errors["pipeline_id"] = [_("Choose an existing pipeline.")]
    if errors:
        raise DealError(errors)

    values.setdefault("probability", stage.probability)
    values.setdefault("owner_id", actor.id)
    if values.get("campaign_id") is None:  # G1: a deal comes from its customer's campaign unless it says otherwise
        values["campaign_id"] = customer.campaign_id
    deal = Deal(customer_id=customer.id, pipeline_id=pipeline.id, stage_id=stage.id, created_by_id=actor.id,
                position=end_position(stage.id), **values)
    db.session.add(deal)
    db.session.flush()
    db.session.add(DealStageChange(deal_id=deal.id, from_stage_id=None, to_stage_id=stage.id, moved_by_id=actor.id))
    _log(deal, [(None, None, deal.name)], actor=actor, action="created")
    db.session.commit()
    return deal


def update_deal(deal, changes, *, actor, reason=None, version=None, partial=True, commit=True):
    """Apply ``changes`` and log each changed field; returns the changed fields.

    ``version`` is the deal's version the change was made from: an older one
    means someone changed the deal meanwhile, and the change is refused
    rather than silently overwriting theirs.
    """
    values, errors = deal_errors(changes, actor=actor, partial=partial)
    if "customer_id" in changes and changes["customer_id"] not in (None, deal.customer_id):
        errors["customer_id"] = [_("A deal stays with its customer; add a new deal for another one.")]
    if version is not None and version != deal.version:
        errors["version"] = [stale_message(deal)]
    reason = (reason or "").strip() or None
    if reason and len(reason) > 500:
        errors["reason"] = [_("Reason for the change: at most %(max)d characters.", max=500)]
    if errors:
        raise (StaleDeal if "version" in errors else DealError)(errors)
    if "custom" in values:
        values["custom"] = {**{k: v for k, v in (deal.custom or {}).items() if k not in (changes.get("custom") or {})},
                            **values["custom"]} if partial else values["custom"]
    rows = []
    for field, new in values.items():
        old = getattr(deal, field)
        if old != new:
            rows.extend(_field_rows(field, old, new))
            setattr(deal, field, new)
    if rows:
        deal.version += 1
        _log(deal, rows, actor=actor, reason=reason)
    if commit:
        db.session.commit()
    return [row[0] for row in rows]


def stale_message(deal):
    return _("Someone changed this deal since you opened it: it now stands in %(stage)s. Nothing was changed.",
             stage=_stage_name(deal))


def _stage_name(deal):
    return stage_label(deal.stage)


def _field_rows(field, old, new):
    """Change-log rows for one field; owners are logged by name, custom values one key at a time."""
    if field == "owner_id":
        names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_([old, new]))).all())
        return [("owner_id", names.get(old), names.get(new))]
    if field == "campaign_id":  # by name, as owners are: the log reads the same after a campaign is gone
        names = campaign_names([old, new])
        return [("campaign_id", names.get(old, old), names.get(new, new))]
    if field == "custom":
        return [(f"custom.{key}", (old or {}).get(key), (new or {}).get(key))
                for key in sorted(set(old or {}) | set(new or {})) if (old or {}).get(key) != (new or {}).get(key)]
    return [(field, _json(old), _json(new))]


def _json(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _log(deal, rows, *, actor, reason=None, action="updated"):
    at = utcnow()
    for field, old, new in rows:
        db.session.add(DealChange(deal_id=deal.id, at=at, actor_id=actor.id, actor_name=actor.name, action=action,
                                  field=field, old=old, new=new, reason=reason))


def _campaign(value, values, errors):
    """G1: one of the company's campaigns, or none (None or ""); read through ``core.campaign_refs`` because
    the pipeline sits below the campaigns feature."""
    if value in (None, ""):
        values["campaign_id"] = None
    elif isinstance(value, str) and value.strip().isdigit():  # a form's select
        _campaign(int(value), values, errors)
    elif not campaign_exists(value):
        errors["campaign_id"] = [_("Choose a campaign from the list.")]
    else:
        values["campaign_id"] = value


def _money(value, field, errors):
    try:
        amount = Decimal(str(value).replace(",", "")).quantize(Decimal("0.01"))
        if not Decimal(0) <= amount <= AMOUNT_MAX or isinstance(value, bool):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors[field] = [_("Amount must be a number of 0 or more.")]
        return None
    return amount


def _date(value, errors):
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors["expected_close"] = [_("Expected close date must be a date (YYYY-MM-DD).")]
        return None


def _probability(value, errors):
    try:
        number = int(str(value))
        if isinstance(value, bool) or not 0 <= number <= 100:
            raise ValueError
    except ValueError:
        errors["probability"] = [_("Probability: a whole number from 0 to 100.")]
        return None
    return number


def _products(lines, errors):
    """Product lines ``[{"name", "quantity", "price"}]``; blank lines (from a form) are dropped."""
    if lines in (None, ""):
        return []
    if not isinstance(lines, list):
        errors["products"] = [_("Products: send a list of lines with name, quantity and price.")]
        return []
    lines = [line for line in lines if not _untouched(line)]
    if len(lines) > PRODUCTS_MAX:
        errors["products"] = [_("Products: at most %(max)d lines.", max=PRODUCTS_MAX)]
    clean = []
    for index, line in enumerate(lines):
        line = line if isinstance(line, dict) else {}
        name = str(line.get("name") or "").strip()
        if not name:
            errors[f"products.{index}.name"] = [_("Product name is required.")]
        elif len(name) > PRODUCT_NAME_MAX:
            errors[f"products.{index}.name"] = [_("Product name: at most %(max)d characters.", max=PRODUCT_NAME_MAX)]
        quantity = _number(line.get("quantity", 1), f"products.{index}.quantity", errors,
                           _("Quantity must be a number above 0."), positive=True)
        price = _number(line.get("price", 0), f"products.{index}.price", errors,
                        _("Price must be a number of 0 or more."))
        clean.append({"name": name, "quantity": quantity, "price": price})
    return clean


def _untouched(line):
    """A form's empty line: no name, no price, the quantity it was offered with."""
    return (isinstance(line, dict) and not str(line.get("name") or "").strip()
            and line.get("price") in (None, "") and str(line.get("quantity", "")).strip() in ("", "1"))


def _number(value, field, errors, message, positive=False):
    try:
        number = Decimal(str(value if value not in (None, "") else "x"))
        if isinstance(value, bool) or not number.is_finite() or number < 0 or (positive and number == 0):
            raise InvalidOperation
    except InvalidOperation:
        errors[field] = [message]
        return None
    return format(number.normalize(), "f")  # "10", not "1E+1"
