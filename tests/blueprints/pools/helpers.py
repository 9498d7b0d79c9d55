"""Setting scenes for the lead pool's tests: pools with rules, customers put in pools, their stored state."""
from datetime import timedelta


def configure_pool(factory, tenant, pool_id=None, *, rules=None, **values):
    """Set a pool's rules (merged over the defaults) and limits straight in the database; the default pool if
    ``pool_id`` is None. Returns the pool's id."""
    from crm_saas.blueprints.pools.models import Pool
    from crm_saas.blueprints.pools.services import default_pool
    from crm_saas.blueprints.pools.services.rules import DEFAULT_RULES
    from crm_saas.extensions import db

    def update():
        pool = db.session.get(Pool, pool_id) if pool_id else default_pool()
        if rules is not None:
            pool.rules = {**DEFAULT_RULES, **rules}
        for key, value in values.items():
            setattr(pool, key, value)
        db.session.commit()
        return pool.id

    return factory._run(tenant, update)


def make_pool(factory, tenant, name, members=(), rules=None, **values):
    """A pool of its own with ``members`` (``[(user_id, subtree)]``) and ``rules`` over the defaults."""
    from crm_saas.blueprints.pools.models import Pool, PoolMember
    from crm_saas.blueprints.pools.services.rules import DEFAULT_RULES
    from crm_saas.extensions import db

    def make():
        pool = Pool(name=name, rules={**DEFAULT_RULES, **(rules or {})}, reclaim_wait_days=0, **values)
        pool.members = [PoolMember(user_id=user_id, subtree=subtree) for user_id, subtree in members]
        db.session.add(pool)
        db.session.commit()
        return pool.id

    return factory._run(tenant, make)


def release(factory, tenant, customer_id, actor_id, reason="不再跟进", pool_id=None):
    """Give a customer back through the service, as its owner (or ``actor_id``) would."""
    from crm_saas.blueprints.pools.services.moves import release_customers
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    def run():
        return release_customers([customer_id], actor=db.session.get(User, actor_id), reason=reason, pool_id=pool_id)

    return factory._run(tenant, run)


def pooled(factory, tenant, owner_id, name, phone="13800138000", pool_id=None):
    """A customer of ``owner_id`` released into a pool at once; its id."""
    customer_id = factory.customer(tenant, owner_id, name=name, phone=phone)
    release(factory, tenant, customer_id, owner_id, pool_id=pool_id)
    return customer_id


def state(factory, tenant, customer_id):
    """The customer's owner, pool and pool columns as stored."""
    from crm_saas.blueprints.customers.models import Customer
    from crm_saas.extensions import db

    def read():
        c = db.session.get(Customer, customer_id)
        return {"owner_id": c.owner_id, "pool_id": c.pool_id, "rule": c.pool_rule, "reason": c.pool_reason,
                "previous_owner_id": c.previous_owner_id, "entered_at": c.pool_entered_at,
                "protected_until": c.protected_until, "extensions": c.protection_extensions,
                "last_follow_up_at": c.last_follow_up_at, "owned_at": c.owned_at}

    return factory._run(tenant, read)


def set_customer(factory, tenant, customer_id, **values):
    from crm_saas.blueprints.customers.models import Customer
    from crm_saas.extensions import db

    def update():
        customer = db.session.get(Customer, customer_id)
        for key, value in values.items():
            setattr(customer, key, value)
        db.session.commit()

    factory._run(tenant, update)


def changes(factory, tenant, customer_id):
    """``[(action, field, old, new, reason)]`` of the customer's change log, oldest first."""
    from sqlalchemy import select

    from crm_saas.blueprints.customers.models import CustomerChange
    from crm_saas.extensions import db

    return factory._run(tenant, lambda: [tuple(row) for row in db.session.execute(
        select(CustomerChange.action, CustomerChange.field, CustomerChange.old, CustomerChange.new,
               CustomerChange.reason).where(CustomerChange.customer_id == customer_id)
        .order_by(CustomerChange.id)).all()])


def run_job(factory, tenant):
    """The pools' scheduled work in this company, as the job runs it."""
    from crm_saas.blueprints.pools.services.recycling import run_pools

    return factory._run(tenant, run_pools)


def days(n):
    return timedelta(days=n)


def default_pool_name(factory, tenant):
    """The default pool's stored name (made in the company's language when it was provisioned)."""
    from crm_saas.blueprints.pools.services import default_pool

    return factory._run(tenant, lambda: default_pool().name)
