"""Staff (B1-B3): adding, editing and moving people in the tree, and their departures."""


def init_app(app):
    # Imported on wiring, not with the package: reading one module (say, in a migration) loads no views.
    from crm_saas.blueprints.staff.routes import bp

    app.register_blueprint(bp)
