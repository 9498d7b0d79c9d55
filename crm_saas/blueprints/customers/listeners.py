"""How customers react to other features' events (crm_saas.core.signals), and what they announce (core/outbox.py)."""
from flask_babel import gettext
from sqlalchemy import func, select, update

from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.customers.services.changes import archive_custom_values
from crm_saas.blueprints.customers.services.shares import end_shares
from crm_saas.core import outbox, signals
from crm_saas.core.base import utcnow
from crm_saas.extensions import db


def connect():
    announce()
    signals.staff_holdings_counted.connect(_count_held)
    signals.staff_departed.connect(_hand_over)
    signals.custom_field_deleting.connect(_archive_values)


def _count_held(user, **_):
    return {"customers": db.session.scalar(
        select(func.count()).select_from(Customer).where(Customer.owner_id == user.id))}


def _hand_over(user, *, to, **_):
    """Every customer of the departed person, in the recycle bin too (B3); shares to them, and of theirs, end."""
    end_shares(user_id=user.id, reason=gettext("%(name)s left the company", name=user.name))
    held = select(Customer.id).where(Customer.owner_id == user.id)
    end_shares(db.session.scalars(held).all(), reason=gettext("Handed over to %(name)s", name=to.name))
    moved = db.session.execute(update(Customer).where(Customer.owner_id == user.id)
                               .values(owner_id=to.id, owned_at=utcnow()))  # the pool clocks restart (C11)
    return {"customers": moved.rowcount}


def _archive_values(field, *, actor, **_):
    if field.entity == "customer":
        archive_custom_values(field, actor=actor)


# Columns whose change is bookkeeping, not news for an integration.
_QUIET = ("updated_at", "name_key", "last_follow_up_at", "import_id")
WEBHOOK_FIELDS = ("id", "number", "name", "type", "status", "industry", "source", "size", "category", "province",
                  "city", "district", "tags", "owner_id", "pool_id", "campaign_id", "created_at", "updated_at",
                  "deleted_at")


def _customer_events(customer, change, changed):
    if change == "created":
        return ["customer.created"]
    if "deleted_at" in changed:
        return ["customer.deleted" if customer.deleted_at else "customer.restored"]
    return outbox.updated_unless(changed, _QUIET, "customer.updated")


def announce():
    """Customers announce themselves to integrations (core/outbox.py): created, updated, deleted, restored."""
    outbox.watch(Customer, "customer", data=lambda c: outbox.plain(c, WEBHOOK_FIELDS), events=_customer_events)
