"""Campaigns stored as given, for the attribution tests (customers, deals, bulk, imports, reports)."""


def make_campaign(factory, tenant, name, *, cost=None, status="active", starts_on=None, ends_on=None):
    """A campaign of the company, owned by its admin; returns its id."""
    from crm_saas.blueprints.campaigns.models import Campaign
    from crm_saas.extensions import db

    admin = factory.admin_id(tenant)

    def make():
        campaign = Campaign(name=name, channel="exhibition", status=status, owner_id=admin, cost=cost,
                            starts_on=starts_on, ends_on=ends_on)
        db.session.add(campaign)
        db.session.commit()
        return campaign.id

    return factory._run(tenant, make)
