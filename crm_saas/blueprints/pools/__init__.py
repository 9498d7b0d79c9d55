"""The public pool (C11, 公海): pools with rules and limits, release, claim, assign, protection extensions."""


def init_app(app):
    # Imported on wiring, not with the package: reading one module (say, in a migration) loads no views.
    from crm_saas.blueprints.pools import listeners
    from crm_saas.blueprints.pools.routes import bp

    app.register_blueprint(bp)
    listeners.connect()
