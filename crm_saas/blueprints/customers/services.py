"""Customers: numbering, creation, finding (always through the visibility rule)."""
from sqlalchemy import exists, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.customers.models import Contact, Customer, NumberSequence
from crm_saas.extensions import db
from crm_saas.models_base import utcnow
from crm_saas.visibility import visible

PER_PAGE = 50


def next_customer_number(today=None):
    """CRM + YYYYMMDD + 4-digit daily serial (C1); one atomic upsert, so concurrent saves never collide."""
    day = today or utcnow().date()
    serial = db.session.scalar(
        insert(NumberSequence)
        .values(scope="customer", day=day, last=1)
        .on_conflict_do_update(index_elements=["scope", "day"], set_={"last": NumberSequence.last + 1})
        .returning(NumberSequence.last)
    )
    return f"CRM{day:%Y%m%d}{serial:04d}"


def create_customer(data, *, actor, owner_id=None):
    """Save a customer with its main contact in one transaction."""
    customer = Customer(
        number=next_customer_number(), name=data["name"].strip(), industry=data["industry"],
        industry_note=(data.get("industry_note") or "").strip() or None, type=data.get("type") or "potential",
        source=data["source"], remarks=(data.get("remarks") or "").strip() or None,
        owner_id=owner_id or actor.id, created_by_id=actor.id,
    )
    for contact in data["contacts"]:
        customer.contacts.append(Contact(**contact))
    db.session.add(customer)
    db.session.commit()
    return customer


def visible_customers(user):
    return visible(select(Customer).where(Customer.deleted_at.is_(None)), Customer.owner_id, user)


def search_filter(stmt, q):
    """Narrow a customer query to ``q``: number, name, contact name or contact phone."""
    q = (q or "").strip()
    if not q:
        return stmt
    pattern = f"%{q}%"
    contact_match = exists().where(
        Contact.customer_id == Customer.id, or_(Contact.name.ilike(pattern), Contact.phone.startswith(q))
    )
    return stmt.where(or_(Customer.number == q, Customer.name.ilike(pattern), contact_match))


def search_customers(user, q=None, page=1, per_page=PER_PAGE):
    """A page of the customers ``user`` may see that match ``q``, newest first, and the total."""
    stmt = search_filter(visible_customers(user), q)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(
        stmt.options(selectinload(Customer.contacts), selectinload(Customer.owner))
        .order_by(Customer.created_at.desc(), Customer.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return rows, total


def get_visible_customer(user, customer_id):
    """The customer, or None when it does not exist or ``user`` may not see it."""
    return db.session.scalar(
        visible_customers(user).where(Customer.id == customer_id).options(selectinload(Customer.contacts))
    )
