"""Tenancy: public tenant records, host resolution, per-request schema binding."""


def init_app(app):
    from crm_saas.tenants.resolve import release_tenant, resolve_tenant

    app.before_request(resolve_tenant)
    app.teardown_request(release_tenant)
