"""The features, each a package with the same faces (blueprint, routes, services, models, forms).

Features stand on ``crm_saas.core`` and never import each other both ways:
one calls another's services one way, or reacts to its events through
``crm_saas.core.signals`` (pyproject.toml's import contracts hold this).
Each feature's ``init_app`` registers its blueprints and connects its
listeners; ``FEATURES`` is the order they are wired in, which is also the
order their listeners hear an event.
"""
from crm_saas.blueprints import (
    activities,
    approvals,
    audit,
    auth,
    bulk,
    campaigns,
    custom_fields,
    customers,
    exports,
    files,
    home,
    imports,
    pipeline,
    platform,
    pools,
    regions,
    reports,
    search,
    service,
    settings,
    signup,
    staff,
    webhooks,
)

FEATURES = (
    home, signup, auth, staff, custom_fields, customers, pipeline, activities, pools, files, exports, settings,
    approvals, service, campaigns, webhooks, bulk, imports, reports, audit, regions, search, platform,
)


def init_app(app):
    for feature in FEATURES:
        feature.init_app(app)
