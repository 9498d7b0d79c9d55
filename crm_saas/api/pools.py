"""Lead pools (API.md ``pools``): the pools, their customers (contacts masked), claim and assign.

A pool the caller is not in (and does not run) is a 404, as any record
they may not see. Claims answer 200 with what was claimed (and why the
rest was not), or 409 naming the limit reached or the customers taken
when nothing could be. Releasing a customer and asking for more days are
``pool_actions.py``.
"""
import marshmallow as ma
from flask_login import current_user
from marshmallow import fields, validate

from crm_saas.api import api_blueprint
from crm_saas.api.customers import CustomerFilterArgs, CustomerSchema, list_query
from crm_saas.api.errors import api_abort
from crm_saas.api.paging import page, page_schema
from crm_saas.api.schemas import InputSchema
from crm_saas.blueprints.customers.services import codes
from crm_saas.blueprints.pools.services import (
    get_pool_for,
    is_member,
    may_assign,
    may_edit,
    may_manage_pools,
    pools_for,
)
from crm_saas.blueprints.pools.services.listing import DEFAULT_POOL_SORT, POOL_SORTS, pool_customers
from crm_saas.blueprints.pools.services.moves import assign_customers, claim_customers
from crm_saas.blueprints.pools.services.settings import create_pool, pool_data, update_pool
from crm_saas.core.views import found_or_404

bp = api_blueprint("api_pools", __name__, "Lead pools (公海): customers nobody owns, claimed within limits.",
                   module="pool")
DAYS = {"allow_none": True}  # ranges are the service's to judge, so one 422 names every bad field


class PoolMemberSchema(InputSchema):
    user_id = fields.Integer(required=True, metadata={"description": "An active colleague."})
    subtree = fields.Boolean(load_default=False, metadata={"description": "Everyone below them is in too."})


class PoolClocksSchema(InputSchema):
    no_follow_up_days = fields.Integer(**DAYS)
    no_deal_days = fields.Integer(**DAYS)
    no_win_days = fields.Integer(**DAYS)


class PoolRulesSchema(InputSchema):
    no_follow_up_days = fields.Integer(**DAYS, metadata={
        "description": "Back to the pool after this many days (1-3650) without a follow-up; null: off."})
    no_deal_days = fields.Integer(**DAYS, metadata={"description": "... without a new deal; null: off."})
    no_win_days = fields.Integer(**DAYS, metadata={"description": "... without a won deal; null: off."})
    per_type = fields.Dict(keys=fields.String(validate=validate.OneOf(list(codes.CUSTOMER_TYPES))),
                           values=fields.Nested(PoolClocksSchema), metadata={
                               "description": "Other days for some customer types: {type: {clock: days}}."})
    exempt_closed = fields.Boolean(metadata={"description": "Closed customers stay with their owner."})
    exempt_open_deal = fields.Boolean(metadata={"description": "Customers with an open deal stay."})
    warn_days = fields.Integer(metadata={
        "description": "The owner gets a task this many days before (0-60); 0: no warning."})
    max_extensions = fields.Integer(metadata={
        "description": "Protection extensions an owner may be granted per customer (0-20)."})


class PoolSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    is_default = fields.Boolean(metadata={"description": "Everyone belongs to the default pool."})
    admin_id = fields.Integer(allow_none=True, metadata={"description": "Sets the rules, limits and members."})
    members = fields.List(fields.Nested(PoolMemberSchema))
    rules = fields.Nested(PoolRulesSchema)
    claim_per_day = fields.Integer(allow_none=True, metadata={"description": "Claims per person a day; null: none."})
    max_owned = fields.Integer(allow_none=True, metadata={"description": "Most customers a person may own."})
    reclaim_wait_days = fields.Integer(metadata={
        "description": "Days before a customer's previous owner may claim it back."})


class PoolInputSchema(InputSchema):
    """Any subset on PATCH; the service names every bad or missing field in one 422."""

    name = fields.String(allow_none=True, metadata={"description": "Required on creation; unique."})
    admin_id = fields.Integer(allow_none=True)
    members = fields.List(fields.Nested(PoolMemberSchema), allow_none=True)
    rules = fields.Nested(PoolRulesSchema, allow_none=True)
    claim_per_day = fields.Integer(allow_none=True, metadata={"description": "Null: no limit."})
    max_owned = fields.Integer(allow_none=True, metadata={"description": "Null: no limit."})
    reclaim_wait_days = fields.Integer(allow_none=True)


class PooledCustomerSchema(CustomerSchema):
    """A customer in a pool: no owner, contacts masked for everyone, when and why it came."""

    pool_entered_at = fields.DateTime(dump_only=True)
    pool_rule = fields.String(dump_only=True, allow_none=True, metadata={
        "description": "no_follow_up, no_deal, no_win (the rule that fired), release, import."})
    pool_reason = fields.String(dump_only=True, allow_none=True)
    previous_owner_id = fields.Integer(dump_only=True, allow_none=True)


class PoolCustomerArgs(CustomerFilterArgs):
    q = fields.String(metadata={"description": "Number, name or contact name."})
    sort = fields.String(load_default=DEFAULT_POOL_SORT, validate=validate.OneOf(list(POOL_SORTS)),
                         metadata={"enum": list(POOL_SORTS), "description": "Default: newest in the pool first."})


class PoolCustomerIdsSchema(InputSchema):
    customer_ids = fields.List(fields.Integer(), allow_none=True, metadata={"description": "Required."})


class PoolAssignSchema(PoolCustomerIdsSchema):
    to = fields.Integer(allow_none=True, metadata={"description": "Required: the caller or someone below them."})


class ClaimRefusalSchema(ma.Schema):
    id = fields.Integer()
    reason = fields.String(metadata={"enum": ["limit", "taken", "wait"]})


class PoolClaimSchema(ma.Schema):
    claimed = fields.List(fields.Integer())
    not_claimed = fields.List(fields.Nested(ClaimRefusalSchema), metadata={
        "description": "limit: a limit stopped it; taken: someone else has it; wait: the caller gave it back "
                       "too recently."})
    limit = fields.String(allow_none=True, metadata={"enum": ["claim_per_day", "max_owned", None],
                                                     "description": "The limit that stopped the claim."})
    message = fields.String()


class PoolAssignedSchema(ma.Schema):
    assigned = fields.List(fields.Integer())
    to = fields.Integer()


def _pool(pool_id):
    return found_or_404(get_pool_for(current_user, pool_id))


@bp.route("/pools", methods=["GET"])
@bp.response(200, PoolSchema(many=True))
def list_pools():
    """The pools the caller belongs to or runs (every pool for settings managers)"""
    return [pool_data(pool) for pool in pools_for(current_user)]


@bp.route("/pools", methods=["POST"])
@bp.arguments(PoolInputSchema)
@bp.response(201, PoolSchema)
@bp.alt_response(403, description="Adding pools needs the right to manage settings.")
def create(data):
    """Add a pool with its rules, limits, members and admin"""
    if not may_manage_pools(current_user):
        api_abort(403)
    return pool_data(create_pool(data, actor=current_user))


@bp.route("/pools/<int:pool_id>", methods=["GET"])
@bp.response(200, PoolSchema)
@bp.alt_response(404, description="No such pool, or not one the caller is in.")
def get(pool_id):
    """One pool"""
    return pool_data(_pool(pool_id))


@bp.route("/pools/<int:pool_id>", methods=["PATCH"])
@bp.arguments(PoolInputSchema)
@bp.response(200, PoolSchema)
@bp.alt_response(403, description="Only the pool's admin (and settings managers) change it.")
@bp.alt_response(404, description="No such pool, or not one the caller is in.")
def patch(data, pool_id):
    """Change a pool's rules, limits, members (its admin); its name and admin (settings managers)"""
    pool = _pool(pool_id)
    if not may_edit(current_user, pool):
        api_abort(403)
    return pool_data(update_pool(pool, data, actor=current_user))


@bp.route("/pools/<int:pool_id>/customers", methods=["GET"])
@bp.arguments(PoolCustomerArgs, location="query")
@bp.response(200, page_schema(PooledCustomerSchema, "PooledCustomerPage"))
@bp.alt_response(404, description="No such pool, or not one the caller is in.")
def customers(args, pool_id):
    """The pool's customers with the customer list's filters; contacts masked for everyone"""
    pool = _pool(pool_id)
    q, sort, filters, paging = list_query(args)
    rows, total = pool_customers(pool, current_user, q=q, filters=filters, sort=sort, **paging)
    return page(rows, total, paging)


@bp.route("/pools/<int:pool_id>/claim", methods=["POST"])
@bp.arguments(PoolCustomerIdsSchema)
@bp.response(200, PoolClaimSchema, description="What was claimed, and why the rest was not.")
@bp.alt_response(409, description="Nothing could be claimed: `limit` names the limit reached, `taken` the "
                                  "customers someone else has, `waiting` those the caller gave back too recently.")
@bp.alt_response(403, description="The caller may see the pool but is not a member.")
@bp.alt_response(404, description="No such pool, or not one the caller is in.")
def claim(data, pool_id):
    """Claim customers from the pool, up to its limits (per day, most owned)"""
    pool = _pool(pool_id)
    if not is_member(current_user, pool):
        api_abort(403)
    result = claim_customers(pool, data.get("customer_ids"), actor=current_user)
    return {"claimed": result.claimed, "limit": result.limit, "message": result.message,
            "not_claimed": [{"id": i, "reason": why} for i, why in result.refused.items()]}


@bp.route("/pools/<int:pool_id>/assign", methods=["POST"])
@bp.arguments(PoolAssignSchema)
@bp.response(200, PoolAssignedSchema)
@bp.alt_response(409, description="A customer is no longer in the pool, or the receiver would own more than the "
                                  "pool allows: nothing was assigned.")
@bp.alt_response(403, description="Only supervisors, the pool's admin and admins assign.")
@bp.alt_response(404, description="No such pool, or not one the caller is in.")
def assign(data, pool_id):
    """Hand pool customers to the caller or someone below them (all or nothing)"""
    pool = _pool(pool_id)
    if not may_assign(current_user, pool):
        api_abort(403)
    taken = assign_customers(pool, data.get("customer_ids"), data.get("to"), actor=current_user)
    return {"assigned": taken, "to": data.get("to")}
