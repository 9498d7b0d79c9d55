"""Files attached to customers and deals (K1)."""


def init_app(app):
    # Imported on wiring, not with the package: reading one module (say, in a migration) loads no views.
    from crm_saas.blueprints.files import listeners
    from crm_saas.blueprints.files.routes import bp

    app.register_blueprint(bp)
    listeners.connect()
