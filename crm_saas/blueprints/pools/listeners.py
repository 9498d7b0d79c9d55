"""How pools react to other features' events (crm_saas.core.signals)."""
from sqlalchemy import delete, update

from crm_saas.blueprints.pools.models import Pool, PoolMember, ProtectionRequest
from crm_saas.blueprints.pools.services import default_pool
from crm_saas.core import signals
from crm_saas.core.base import utcnow
from crm_saas.extensions import db


def connect():
    signals.tenant_provisioned.connect(_add_default_pool)
    signals.staff_departed.connect(_hand_over)
    signals.customer_transferred.connect(_withdraw_requests)


def _add_default_pool(session, **_):
    """Every company starts with its default pool, rules off until an admin sets them."""
    default_pool(session)


def _hand_over(user, *, to, **_):
    """The pools a departing person ran go to their successor; their own memberships end (B3)."""
    db.session.execute(update(Pool).where(Pool.admin_id == user.id).values(admin_id=to.id))
    db.session.execute(delete(PoolMember).where(PoolMember.user_id == user.id))
    db.session.execute(update(ProtectionRequest).where(
        ProtectionRequest.requested_by_id == user.id, ProtectionRequest.status == "pending")
        .values(status="withdrawn", decided_at=utcnow()))


def _withdraw_requests(customer, **_):
    """A protection asked for by the old owner means nothing to the new one."""
    db.session.execute(update(ProtectionRequest).where(
        ProtectionRequest.customer_id == customer.id, ProtectionRequest.status == "pending")
        .values(status="withdrawn", decided_at=utcnow()))
