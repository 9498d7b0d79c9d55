"""Customers and contacts (C1-C13): entry, search, the change log, transfers, the recycle bin, duplicates."""


def init_app(app):
    # Imported on wiring, not with the package: reading one module (say, in a migration) loads no views.
    from crm_saas.blueprints.custom_fields.services import register_holder
    from crm_saas.blueprints.customers import listeners
    from crm_saas.blueprints.customers.models import Customer
    from crm_saas.blueprints.customers.routes import bp

    app.register_blueprint(bp)
    listeners.connect()
    register_holder("customer", Customer)
