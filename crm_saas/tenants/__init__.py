"""Tenancy: public tenant records, host resolution, per-request schema binding."""


def init_app(app):
    from crm_saas.extensions import db
    from crm_saas.tenants import presence, recycling
    from crm_saas.tenants.resolve import release_tenant, resolve_tenant

    app.before_request(resolve_tenant)
    app.teardown_request(release_tenant)
    app.teardown_request(presence.note_activity)  # teardowns run last first: this one before the unbinding
    with app.app_context():  # the engine exists once db.init_app has run
        recycling.init_engine(db.engine, app.config["CRM_DB_TENANTS_PER_CONNECTION"])
