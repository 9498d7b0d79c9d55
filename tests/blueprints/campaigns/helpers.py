"""Setting scenes for the campaign and segment tests: customers with chosen fields, campaigns, stored values."""
from datetime import timedelta

PHONES = iter(range(13900000000, 13999999999))


def customer(factory, tenant, owner_id, name, **values):
    """A customer of ``owner_id`` made through the service, then ``values`` set straight in the database
    (``campaign_id``, ``industry``, ``size``, ``created_at``, ``last_follow_up_at`` ...); its id."""
    customer_id = factory.customer(tenant, owner_id, name=name, phone=str(next(PHONES)))
    if values:
        set_customer(factory, tenant, customer_id, **values)
    return customer_id


def set_customer(factory, tenant, customer_id, **values):
    from crm_saas.blueprints.customers.models import Customer
    from crm_saas.extensions import db

    def update():
        row = db.session.get(Customer, customer_id)
        for key, value in values.items():
            setattr(row, key, value)
        db.session.commit()

    factory._run(tenant, update)


def campaign(factory, tenant, actor_id, name="春季展会", **fields):
    """A campaign made through the service by ``actor_id`` (its owner unless ``owner_id`` says); its id."""
    from crm_saas.blueprints.campaigns.services.campaigns import create_campaign
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    def make():
        return create_campaign({"name": name, "channel": "exhibition", **fields},
                               actor=db.session.get(User, actor_id)).id

    return factory._run(tenant, make)


def segment(factory, tenant, owner_id, name, filters, shared=False):
    """A segment saved by ``owner_id`` through the service; its id."""
    from crm_saas.blueprints.campaigns.services.segments import create_segment
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    def make():
        return create_segment({"name": name, "filters": filters, "shared": shared},
                              actor=db.session.get(User, owner_id)).id

    return factory._run(tenant, make)


def dormant_segment_id(factory, tenant):
    from sqlalchemy import select

    from crm_saas.blueprints.campaigns.models import Segment
    from crm_saas.extensions import db

    return factory._run(tenant, lambda: db.session.scalar(select(Segment.id).where(Segment.builtin == "dormant")))


def won_stage_index(factory, tenant):
    return next(i for i, (_id, kind) in enumerate(factory.stages(tenant)) if kind == "won")


def days_ago(days):
    from crm_saas.core.base import utcnow

    return utcnow() - timedelta(days=days)
