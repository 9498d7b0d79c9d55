"""Segments (G1): a saved customer-list filter with a name, private or shared with the team.

``filters`` is the customer list's query string as a dict (``type``,
``industry``, ``size``, ``province``, ``tag`` (a list), ``owner_id``,
``cf-<key>`` ..., see customers/services/search.py ``read_filters``), so a
segment opens as exactly that list and the same code finds its customers.
The ready-made 沉睡客户 segment (``builtin="dormant"``) holds ``{"days": N}``
instead: its customers come from a rule (dormant.py), not from the list.

Who sees one: its owner; when shared, everyone above and below the owner in
the tree; admins and see-all roles every shared one. Private stays private
(to admins too): it is someone's working list. Who changes one: its owner
and admins; the ready-made one, admins and settings managers.
"""
from flask_babel import gettext as _
from sqlalchemy import or_, select
from werkzeug.datastructures import MultiDict

from crm_saas.blueprints.campaigns.models import Segment
from crm_saas.blueprints.customers.services.search import DEFAULT_SORT, EXACT, SORTS
from crm_saas.blueprints.pools.services import ancestor_ids
from crm_saas.core.errors import FieldErrors
from crm_saas.core.permissions import can
from crm_saas.core.visibility import subtree_ids
from crm_saas.extensions import db

NAME_MAX = 100
DORMANT = "dormant"
DAYS_MAX = 3650
# The customer list's query names a segment keeps (custom fields add ``cf-<key>`` and its range ends).
SIMPLE_KEYS = ("q", "sort", "owner_id", *EXACT)


class SegmentError(FieldErrors):
    """A refused segment change, naming each bad field (``filters.<key>`` for a bad filter)."""


def visible_segments(user):
    """The segments ``user`` sees (module docstring): the statement every list and lookup narrows."""
    mine = Segment.owner_id == user.id
    if can(user, "see_all"):
        return select(Segment).where(or_(mine, Segment.shared.is_(True)))
    team = subtree_ids(user.id) | ancestor_ids(user.id)
    return select(Segment).where(or_(mine, Segment.shared.is_(True) & (
        Segment.owner_id.in_(team) | Segment.owner_id.is_(None))))


def list_segments(user):
    """The viewer's segments: the ready-made ones first, then their own, then the team's, by name."""
    return db.session.scalars(visible_segments(user).order_by(
        Segment.builtin.is_(None), Segment.owner_id != user.id, Segment.name, Segment.id)).all()


def editable_segments(user):
    """The filter segments ``user`` may change, by name: where the customer list may save its filters instead."""
    return [s for s in db.session.scalars(visible_segments(user).where(Segment.builtin.is_(None))
                                          .order_by(Segment.name, Segment.id)) if may_edit_segment(user, s)]


def get_segment_for(user, segment_id):
    """The segment if ``user`` sees it, else None (a 404: a private segment is not confirmed to exist)."""
    if not isinstance(segment_id, int) or isinstance(segment_id, bool):
        return None
    return db.session.scalar(visible_segments(user).where(Segment.id == segment_id))


def may_edit_segment(user, segment):
    if segment.builtin:
        return user.role == "admin" or can(user, "manage_settings")
    return segment.owner_id == user.id or user.role == "admin"


def may_delete_segment(user, segment):
    """The ready-made segments stay: an admin tunes their days instead."""
    return not segment.builtin and may_edit_segment(user, segment)


def create_segment(data, *, actor):
    """A segment owned by ``actor``; raises SegmentError naming every bad field."""
    errors = {}
    segment = Segment(owner_id=actor.id, builtin=None,
                      name=_name(data.get("name"), errors),
                      filters=clean_filters(data.get("filters"), None, errors),
                      shared=_flag(data.get("shared", False), errors))
    if errors:
        raise SegmentError(errors)
    db.session.add(segment)
    db.session.commit()
    return segment


def update_segment(segment, changes, *, actor):
    """Any subset of ``name``, ``filters`` (the whole new filter), ``shared``; nothing saved on an error."""
    errors, values = {}, {}
    if "name" in changes:
        values["name"] = _name(changes["name"], errors)
    if "filters" in changes:
        values["filters"] = clean_filters(changes["filters"], segment.builtin, errors)
    if "shared" in changes:
        values["shared"] = _flag(changes["shared"], errors)
        if segment.builtin and values["shared"] is False:
            errors["shared"] = [_("A ready-made segment is shared with everyone.")]
    if errors:
        raise SegmentError(errors)
    for key, value in values.items():
        setattr(segment, key, value)
    db.session.commit()
    return segment


def delete_segment(segment, *, actor):
    """Campaigns synced from it keep their members; they simply have no segment to re-sync from."""
    db.session.delete(segment)
    db.session.commit()


def clean_filters(raw, builtin, errors):
    """``raw`` as stored: the list's query names with text values (``tag`` a list), empty ones dropped."""
    if builtin == DORMANT:
        return {"days": _days((raw or {}).get("days") if isinstance(raw, dict) else None, errors)}
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors["filters"] = [_("Send the filters as an object of the customer list's query parameters.")]
        return {}
    stored = {}
    for key, value in raw.items():
        if not (key in SIMPLE_KEYS or key == "tag" or (isinstance(key, str) and key.startswith("cf-"))):
            errors[f"filters.{key}"] = [_("Not a filter of the customer list.")]
            continue
        if key == "tag":
            values = value if isinstance(value, list) else [value]
            if not all(isinstance(v, str) for v in values):
                errors["filters.tag"] = [_("Send tags as text.")]
                continue
            values = [v.strip() for v in values if v.strip()]
            if values:
                stored["tag"] = values
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            errors[f"filters.{key}"] = [_("Send one value as text.")]
            continue
        value = str(value).strip()
        if key == "owner_id" and value and not value.isdigit():
            errors["filters.owner_id"] = [_("Send a colleague's id.")]
        elif key == "sort" and value and value not in SORTS:
            errors["filters.sort"] = [_("Choose one of: %(codes)s.", codes=", ".join(SORTS))]
        elif value:
            stored[key] = value
    return stored


def from_query(args):
    """A segment's ``filters`` from a query string or form (the customer list's "Save as segment")."""
    raw = {}
    for key in args:
        if key == "tag":
            raw["tag"] = args.getlist("tag")
        elif key == "sort" and args.get(key) == DEFAULT_SORT:
            continue  # the list's default order: nothing worth keeping
        elif key in SIMPLE_KEYS or key.startswith("cf-"):
            raw[key] = args.get(key, "")
    errors = {}
    stored = clean_filters(raw, None, errors)
    if errors:
        raise SegmentError(errors)
    return stored


def as_args(segment):
    """The segment's filters as the query string the customer list reads (``MultiDict``; tags repeat)."""
    args = MultiDict()
    if segment.builtin:
        return args
    for key, value in (segment.filters or {}).items():
        for one in value if isinstance(value, list) else [value]:
            args.add(key, str(one))
    return args


def dormant_days(segment):
    return int((segment.filters or {}).get("days") or 90)


def _name(value, errors):
    name = value.strip() if isinstance(value, str) else None
    if not name:
        errors["name"] = [_("Enter the segment's name.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("At most %(max)d characters.", max=NAME_MAX)]
    return name


def _flag(value, errors):
    if not isinstance(value, bool):
        errors["shared"] = [_("Send true or false.")]
        return False
    return value


def _days(value, errors):
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= DAYS_MAX:
        errors["filters.days"] = [_("Enter a whole number of days from 1 to %(max)d.", max=DAYS_MAX)]
        return None
    return value
