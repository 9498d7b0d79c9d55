"""Logging in and out, changing or recovering one's password, the personal centre (B5, B6)."""


def init_app(app):
    # Imported on wiring, not with the package: reading one module (say, in a migration) loads no views.
    from crm_saas.blueprints.auth import login, recovery_routes  # noqa: F401  (its views hang on bp)
    from crm_saas.blueprints.auth.routes import bp

    app.register_blueprint(bp)
    login.init_app(app)
