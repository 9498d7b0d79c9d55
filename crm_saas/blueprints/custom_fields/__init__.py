"""Custom field definitions (C4): the fields a company adds to its customers and deals."""


def init_app(app):
    # Imported on wiring, not with the package: reading one module (say, in a migration) loads no views.
    from crm_saas.blueprints.custom_fields.routes import bp

    app.register_blueprint(bp)
