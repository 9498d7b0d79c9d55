"""The province / city / district picker (C2) over crm_saas.core.regions."""


def init_app(app):
    # Imported on wiring, not with the package: reading one module (say, in a migration) loads no views.
    from crm_saas.blueprints.regions.routes import bp

    app.register_blueprint(bp)
