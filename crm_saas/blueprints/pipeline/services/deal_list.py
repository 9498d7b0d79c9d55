"""The deal list (D4): the board's filters plus search, pipeline and stage, sorted and paged; bulk changes."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.pipeline.models import Deal
from crm_saas.blueprints.pipeline.services import get_stage
from crm_saas.blueprints.pipeline.services.board import filtered, read_filters
from crm_saas.blueprints.pipeline.services.deals import DealError, assignable_owner, update_deal
from crm_saas.blueprints.pipeline.services.moves import change_stage
from crm_saas.core.queries import LIKE_ESCAPE, contains_pattern, page_number
from crm_saas.extensions import db

PER_PAGE = 50
SORTS = {
    "-created_at": (Deal.created_at.desc(), Deal.id.desc()),
    "created_at": (Deal.created_at, Deal.id),
    "expected_close": (Deal.expected_close.asc().nulls_last(), Deal.id),
    "-expected_close": (Deal.expected_close.desc().nulls_last(), Deal.id),
    "-amount": (Deal.amount.desc(), Deal.id),
    "amount": (Deal.amount, Deal.id),
    "name": (Deal.name, Deal.id),
    "-updated_at": (Deal.updated_at.desc(), Deal.id.desc()),
}


SORT_LABELS = {
    "-created_at": _l("Newest first"), "created_at": _l("Oldest first"),
    "expected_close": _l("Closing soonest"), "-expected_close": _l("Closing latest"),
    "-amount": _l("Largest amount"), "amount": _l("Smallest amount"), "name": _l("Name A-Z"),
    "-updated_at": _l("Recently updated"),
}


def read_list_args(args):
    """``(filters, q, sort, page)``: the board's filters plus pipeline, stage, customer and search."""
    filters = read_filters(args)
    for key in ("pipeline_id", "stage_id", "customer_id"):
        if str(args.get(key, "")).isdigit():
            filters[key] = int(args[key])
    sort = args.get("sort") if args.get("sort") in SORTS else "-created_at"
    return filters, (args.get("q") or "").strip(), sort, page_number(args.get("page", "1"))


def deals_statement(user, filters=None, q=None):
    """The deals ``user`` may see that match: the list's page and its export (workers/list_exports.py) both."""
    stmt = filtered(select(Deal), user, filters)
    for key in ("pipeline_id", "stage_id", "customer_id"):
        if (filters or {}).get(key):
            stmt = stmt.where(getattr(Deal, key) == filters[key])
    if q:
        pattern = contains_pattern(q)
        stmt = stmt.where(or_(
            Deal.name.ilike(pattern, escape=LIKE_ESCAPE),
            Deal.customer_id.in_(select(Customer.id).where(Customer.name.ilike(pattern, escape=LIKE_ESCAPE))),
        ))
    return stmt


def list_deals(user, filters=None, q=None, sort="-created_at", page=1, per_page=PER_PAGE):
    """A page of the deals ``user`` may see that match, and the total."""
    stmt = deals_statement(user, filters, q)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(
        stmt.options(joinedload(Deal.customer), joinedload(Deal.owner), joinedload(Deal.stage))
        .order_by(*SORTS.get(sort, SORTS["-created_at"])).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return rows, total


def bulk_change(deals, *, actor, owner_id=None, stage_id=None, lost_reason=None):
    """Give the deals another owner and/or stage, all or nothing; returns how many changed.

    The rules are those of one deal: the owner must be someone ``actor``
    may assign; a stage of another pipeline is refused for that deal; a
    lost stage needs its reason.
    """
    errors = {}
    if not deals:
        errors["ids"] = [_("Tick the deals to change.")]
    if owner_id is None and stage_id is None:
        errors["change"] = [_("Choose a new owner or a new stage.")]
    if owner_id is not None and assignable_owner(actor, owner_id) is None:
        errors["owner_id"] = [_("Choose yourself or someone you manage as the owner.")]
    stage = get_stage(stage_id) if stage_id is not None else None
    lost_reason = (lost_reason or "").strip() or None
    if stage_id is not None:
        if stage is None or stage.removed_at is not None or any(d.pipeline_id != stage.pipeline_id for d in deals):
            errors["stage_id"] = [_("Choose a stage of the ticked deals' pipeline.")]
        elif stage.kind == "lost" and not lost_reason:
            errors["lost_reason"] = [_("Give a reason for losing these deals.")]
    if errors:
        raise DealError(errors)
    changed = 0
    try:
        for deal in deals:
            touched = False
            if owner_id is not None and deal.owner_id != owner_id:
                update_deal(deal, {"owner_id": owner_id}, actor=actor, commit=False)
                touched = True
            if stage is not None and deal.stage_id != stage.id:
                change_stage(deal, stage, lost_reason, actor=actor)
                deal.version += 1
                touched = True
            changed += touched
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return changed
