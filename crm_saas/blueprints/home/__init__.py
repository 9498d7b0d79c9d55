"""The pages every host has: the front door, health and the language switch."""


def init_app(app):
    # Imported on wiring, not with the package: reading one module (say, in a migration) loads no views.
    from crm_saas.blueprints.home.routes import bp

    app.register_blueprint(bp)
