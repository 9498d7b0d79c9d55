"""The company settings pages (B4, C1, C9, D3, E2): the values live in crm_saas.core.settings."""


def init_app(app):
    # Imported on wiring, not with the package: reading one module (say, in a migration) loads no views.
    from crm_saas.blueprints.settings.routes import bp

    app.register_blueprint(bp)
