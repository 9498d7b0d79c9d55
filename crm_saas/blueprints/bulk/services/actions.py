"""The bulk actions themselves: every customer checked first, then all changed in one commit, each logged.

Each reuses the customers' own rules (C8 transfers and requests, shares,
the tag rules, the recycle bin) and the pool's release; what it adds is the
"all or nothing": a refusal names the customers or the field and nothing is
saved. Transfer, delete and release change whose a customer is, so a
customer only shared with the actor refuses them; tags and the campaign
need edit access.
"""
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from crm_saas.blueprints.bulk.services import (
    ACTIONS,
    BulkError,
    BulkForbidden,
    selected_customers,
    selected_ids,
    split_filters,
)
from crm_saas.blueprints.campaigns.services.choices import campaign_exists
from crm_saas.blueprints.customers.models import TransferRequest
from crm_saas.blueprints.customers.services.changes import record_changes
from crm_saas.blueprints.customers.services.recycle import delete_customer
from crm_saas.blueprints.customers.services.shares import ShareError, access_of, end_shares, reaches, share_customers
from crm_saas.blueprints.customers.services.transfer import TransferError, check_transfer
from crm_saas.blueprints.customers.services.transfer_requests import transfer_or_request
from crm_saas.blueprints.customers.services.validation import TAGS_MAX, clean_tags, validate_customer
from crm_saas.blueprints.exports.services import start_export
from crm_saas.blueprints.pools.services import moves as pools
from crm_saas.core.audit import record
from crm_saas.core.permissions import can
from crm_saas.extensions import db

NAMES_SHOWN = 5


def run(action, user, *, ids=None, filters=None, **fields):
    """Resolve the selection and carry ``action`` out on all of it; returns what the action reports.

    ``export`` with ``filters`` hands the filters themselves to the export
    job, which resolves them under the same rule when it runs.
    """
    if action not in ACTIONS:
        raise BulkError({"action": [_("Choose a value from the list.")]})
    if action == "export":
        chosen = selected_ids(user, ids=ids, filters=filters)  # refuses an empty or oversized selection first
        return export_customers(user, filters=filters) if filters is not None else export_customers(user, ids=chosen)
    chosen = selected_ids(user, ids=ids, filters=filters)
    try:
        return ACTION_FUNCTIONS[action](selected_customers(user, chosen), user, **fields)
    except Exception:
        db.session.rollback()
        raise


def named(customers, limit=NAMES_SHOWN):
    """"A, B, C and 4 more": enough names to find them, never a wall of them."""
    names = [c.name for c in customers[:limit]]
    rest = len(customers) - len(names)
    text = _(", ").join(names)
    return text if not rest else ngettext("%(names)s and %(num)s more", "%(names)s and %(num)s more", rest,
                                          names=text)


def require(customers, actor, needed):
    """Refuse, naming them, when any customer is only shared with ``actor`` below ``needed`` access."""
    short = [c for c in customers if not reaches(access_of(actor, c), needed)]
    if not short:
        return
    if needed == "edit":
        message = _("Shared with you to read only: %(names)s. Nothing was changed.", names=named(short))
    else:
        message = _("Only shared with you, so not yours to hand on or delete: %(names)s. Nothing was changed.",
                    names=named(short))
    raise BulkError({"ids": [message]})


def transfer_customers(customers, actor, *, to=None, reason=None, **_fields):
    """C8 in bulk: at once with the right, else one request per customer; ``{"done", "pending", "skipped"}``.

    A customer the receiver already owns is skipped ("give these to Li" is met
    when Li has them); one with a request already waiting refuses the batch.
    """
    require(customers, actor, "full")
    try:
        reason = check_transfer(None, to, reason)
    except TransferError as err:
        raise BulkError(err.errors) from err
    moving = [c for c in customers if c.owner_id != to]
    if not can(actor, "transfer_customers"):
        waiting = set(db.session.scalars(select(TransferRequest.customer_id).where(
            TransferRequest.customer_id.in_([c.id for c in moving]), TransferRequest.status == "pending")))
        if waiting:
            raise BulkError({"ids": [_("A transfer already waits for approval for: %(names)s. Nothing was changed.",
                                       names=named([c for c in moving if c.id in waiting]))]})
    counts = {"done": 0, "pending": 0, "skipped": len(customers) - len(moving)}
    for customer in moving:
        outcome, _result = transfer_or_request(customer, to, reason, actor=actor, commit=False)
        counts[outcome] += 1
    db.session.commit()
    return {"action": "transfer", "count": len(customers), **counts}


def share_customers_with(customers, actor, *, user_id=None, access="read", until=None, **_fields):
    """Share every customer with one colleague (again: replaces their access); ``{"count"}``."""
    try:
        share_customers(customers, user_id, access or "read", until, actor=actor, commit=False)
    except ShareError as err:
        errors = dict(err.errors)
        if "id" in errors:
            errors["ids"] = errors.pop("id")
        raise BulkError(errors) from err
    db.session.commit()
    return {"action": "share", "count": len(customers)}


def _tags_asked(tags):
    if isinstance(tags, str):
        tags = [t for t in tags.replace("，", ",").split(",")]
    tags = clean_tags(tags if isinstance(tags, list) else [])
    if not tags:
        raise BulkError({"tags": [_("Enter at least one tag.")]})
    errors = {key: messages for key, messages in validate_customer({"tags": tags}).items() if key.startswith("tags")}
    if errors:
        raise BulkError(errors)
    return tags


def _retag(customers, actor, change, reason, action):
    require(customers, actor, "edit")
    reason = (reason or "").strip() or None
    plans = [(c, list(c.tags or []), change(list(c.tags or []))) for c in customers]
    too_many = [c for c, _old, new in plans if len(new) > TAGS_MAX]
    if too_many:
        raise BulkError({"tags": [_("At most %(max)d tags per customer; these would have more: %(names)s.",
                                    max=TAGS_MAX, names=named(too_many))]})
    changed = 0
    for customer, old, new in plans:
        if new != old:
            customer.tags = new
            record_changes(customer, [("tags", old, new, None, None)], actor=actor, reason=reason)
            changed += 1
    db.session.commit()
    return {"action": action, "count": len(customers), "changed": changed, "unchanged": len(customers) - changed}


def tag_customers(customers, actor, *, tags=None, reason=None, **_fields):
    """Add tags to every customer (kept once each); each customer whose tags change logs the change."""
    asked = _tags_asked(tags)
    return _retag(customers, actor, lambda have: clean_tags(have + asked), reason, "tag")


def untag_customers(customers, actor, *, tags=None, reason=None, **_fields):
    asked = set(_tags_asked(tags))
    return _retag(customers, actor, lambda have: [t for t in have if t not in asked], reason, "untag")


UNSENT = object()  # the campaign's field left out, which is not the same as null (clear it)


def set_campaign(customers, actor, *, campaign_id=UNSENT, reason=None, **_fields):
    """G1 in bulk: every customer came from ``campaign_id`` (None: from no campaign); each change logged.

    Like tags, an edit of the customers: the same access as editing them.
    """
    if campaign_id is UNSENT or campaign_id == "":
        raise BulkError({"campaign_id": [_("Choose a campaign, or none to clear it.")]})
    if campaign_id is not None and not campaign_exists(campaign_id):
        raise BulkError({"campaign_id": [_("Choose a campaign from the list.")]})
    require(customers, actor, "edit")
    reason = (reason or "").strip() or None
    changed = 0
    for customer in customers:
        if customer.campaign_id != campaign_id:
            record_changes(customer, [("campaign_id", customer.campaign_id, campaign_id, None, None)], actor=actor,
                           reason=reason)
            customer.campaign_id = campaign_id
            changed += 1
    db.session.commit()
    return {"action": "campaign", "count": len(customers), "changed": changed, "unchanged": len(customers) - changed}


def release_customers(customers, actor, *, reason=None, pool_id=None, **_fields):
    """Back to a pool (C11) through the pool's own rules; their shares end with the owner's hold."""
    require(customers, actor, "full")
    ids = [c.id for c in customers]
    end_shares(ids, actor=actor, reason=(reason or "").strip() or None)
    released = pools.release_customers(ids, actor=actor, reason=reason, pool_id=pool_id)
    db.session.commit()
    return {"action": "release", "count": len(released)}


def delete_customers(customers, actor, *, reason=None, **_fields):
    """To the recycle bin, all of them (with their deals), in one commit."""
    if not can(actor, "delete_customers"):
        raise BulkForbidden({"action": [_("Your role may not delete customers.")]})
    require(customers, actor, "full")
    for customer in customers:
        delete_customer(customer, actor=actor, reason=reason, commit=False)
    db.session.commit()
    return {"action": "delete", "count": len(customers)}


def export_customers(actor, *, ids=None, filters=None):
    """Queue the customers export of the selection (``jobs.QueueUnavailable`` with Redis down); the Export."""
    if not can(actor, "export"):
        raise BulkForbidden({"action": [_("Your role may not export records.")]})
    if ids is not None:
        wanted = {"ids": ids}
    else:
        q, rest = split_filters(filters)
        wanted = {"q": q, **rest} if q else rest
    export = start_export("customers", wanted, actor=actor)
    record("customers_exported", export, actor=actor, target_type="export", label=f"#{export.id}",
           customers=len(ids) if ids else None, filters=None if ids else wanted)
    db.session.commit()
    return export


ACTION_FUNCTIONS = {
    "transfer": transfer_customers, "share": share_customers_with, "tag": tag_customers,
    "untag": untag_customers, "campaign": set_campaign, "release": release_customers, "delete": delete_customers,
}
