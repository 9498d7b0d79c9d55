"""How pools read on pages: why a customer is in the pool, and what a customer's page offers about pools.

Template globals, so the customer page (a feature below this one) shows the
release and protection buttons without knowing about pools: the header
includes ``pools/_customer_actions.html``, which asks ``pool_panel``.
"""
from flask_login import current_user
from sqlalchemy import select

from crm_saas.blueprints.customers.services import codes
from crm_saas.blueprints.customers.services.privacy import ContactReader
from crm_saas.blueprints.pools.blueprint import bp
from crm_saas.blueprints.pools.models import Pool, ProtectionRequest
from crm_saas.blueprints.pools.services import home_pool
from crm_saas.blueprints.pools.services.moves import may_release
from crm_saas.blueprints.pools.services.protection import extensions_left
from crm_saas.blueprints.pools.services.recycling import due_of
from crm_saas.blueprints.pools.services.rules import rule_label
from crm_saas.extensions import db


@bp.app_template_global()
def pool_reason(customer):
    """Why a customer is in its pool: the rule's name in the reader's language, then the stored words."""
    label = str(rule_label(customer.pool_rule))
    return f"{label}: {customer.pool_reason}" if customer.pool_reason else label


@bp.app_template_global()
def pool_panel(customer):
    """What the customer page offers about pools, or None when the viewer can do nothing there.

    ``due``: when the rules would take the customer back; ``release``: the
    pools to choose from when the viewer may release it; ``protect``: how
    many extensions are left when the viewer owns it; ``waiting``: a
    protection request waiting for approval.
    """
    if customer.owner_id is None or not current_user.is_authenticated:
        return None
    releasable = may_release(current_user, customer)
    owns = customer.owner_id == current_user.id
    if not releasable and not owns:
        return None
    home = home_pool(customer.owner_id)
    due = due_of(customer.id, home)
    waiting = db.session.scalar(select(ProtectionRequest).where(
        ProtectionRequest.customer_id == customer.id, ProtectionRequest.status == "pending"))
    return {
        "home": home, "due": due, "waiting": waiting,
        "release": db.session.scalars(select(Pool).order_by(Pool.is_default.desc(), Pool.name)).all()
        if releasable else None,
        "protect": extensions_left(customer, home) if owns and due is not None else 0,
    }


class PoolRowKit:
    """What every row of a pool's list needs, worked out once a page (as the customer list's RowKit)."""

    def __init__(self, viewer):
        self.words = {name: {code: str(label) for code, label in table.items()} for name, table in (
            ("type", codes.CUSTOMER_TYPES), ("industry", codes.INDUSTRIES), ("source", codes.SOURCES))}
        self.reader = ContactReader(viewer)

    def word(self, name, code):
        return self.words[name].get(code, code) if code else ""

    def phone(self, customer, contact):
        return self.reader.phone(customer.owner_id, contact.phone)
