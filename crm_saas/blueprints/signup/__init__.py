"""Signing a company up (A1), on the platform host."""


def init_app(app):
    # Imported on wiring, not with the package: reading one module (say, in a migration) loads no views.
    from crm_saas.blueprints.signup.routes import bp

    app.register_blueprint(bp)
