"""The operation log and login log pages (J1); the log is written by crm_saas.core.audit."""


def init_app(app):
    # Imported on wiring, not with the package: reading one module (say, in a migration) loads no views.
    from crm_saas.blueprints.audit.routes import bp

    app.register_blueprint(bp)
