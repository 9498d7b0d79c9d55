"""Deals and the pipeline (D1-D5): the board, deal pages, pipelines and stages as a setting."""


def init_app(app):
    # Imported on wiring, not with the package: reading one module (say, in a migration) loads no views.
    from crm_saas.blueprints.custom_fields.services import register_holder
    from crm_saas.blueprints.pipeline import admin_routes, listeners, routes
    from crm_saas.blueprints.pipeline.models import Deal

    app.register_blueprint(routes.bp)
    app.register_blueprint(admin_routes.bp)
    listeners.connect()
    register_holder("deal", Deal)
