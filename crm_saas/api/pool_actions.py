"""Pool actions on a customer (API.md ``pool actions on customers``): release it, ask for more days.

Releasing answers the customer as it now stands (in a pool, no owner,
contacts masked); asking for more days answers 202 with the request, which
waits for someone above the owner (an admin's own is granted at once).
"""
import marshmallow as ma
from flask_login import current_user
from marshmallow import fields

from crm_saas.api import api_blueprint
from crm_saas.api.customers import CustomerSchema, visible_customer
from crm_saas.api.errors import api_abort
from crm_saas.api.schemas import InputSchema
from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.pools.services.moves import REASON_MAX, may_release, release_customers
from crm_saas.blueprints.pools.services.protection import MAX_DAYS, request_protection
from crm_saas.extensions import db

bp = api_blueprint("api_pool_actions", __name__, "Releasing customers to a lead pool, protection extensions.",
                   module="pool")


class CustomerReleaseSchema(InputSchema):
    reason = fields.String(allow_none=True, metadata={"description": f"Required; at most {REASON_MAX} characters."})
    pool_id = fields.Integer(allow_none=True, metadata={"description": "Default: the pool of the owner."})


class ProtectionAskSchema(InputSchema):
    days = fields.Integer(allow_none=True, metadata={"description": f"Required: 1 to {MAX_DAYS}."})
    reason = fields.String(allow_none=True, metadata={"description": "Required."})


class ProtectionRequestSchema(ma.Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    days = fields.Integer()
    reason = fields.String()
    status = fields.String(metadata={"enum": ["pending", "approved", "rejected", "withdrawn"]})
    requested_by = fields.Integer(attribute="requested_by_id")
    created_at = fields.DateTime()


@bp.route("/customers/<int:customer_id>/release", methods=["POST"])
@visible_customer()
@bp.arguments(CustomerReleaseSchema)
@bp.response(200, CustomerSchema, description="The customer, now in the pool (owner_id null, pool_id set).")
@bp.alt_response(403, description="Only the owner, those above them and admins release a customer.")
@bp.alt_response(404, description="No such customer, or not one the caller may see.")
def release(data, customer):
    """Give a customer back to a lead pool, with a reason"""
    if not may_release(current_user, customer):
        api_abort(403)
    release_customers([customer.id], actor=current_user, reason=data.get("reason"), pool_id=data.get("pool_id"))
    return db.session.get(Customer, customer.id, populate_existing=True)


@bp.route("/customers/<int:customer_id>/protection-requests", methods=["POST"])
@visible_customer()
@bp.arguments(ProtectionAskSchema)
@bp.response(202, ProtectionRequestSchema, description="Waiting for someone above the owner (an admin's own "
                                                       "request is approved at once).")
@bp.alt_response(403, description="Only the customer's owner asks for more days.")
@bp.alt_response(404, description="No such customer, or not one the caller may see.")
def ask_for_protection(data, customer):
    """Ask for more days before the pool's rules take the customer back"""
    if customer.owner_id != current_user.id:
        api_abort(403)
    return request_protection(customer, data.get("days"), data.get("reason"), actor=current_user)
