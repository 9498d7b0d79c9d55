"""Global search (the top bar): customers, contacts and deals at once, as the viewer may see them."""


def init_app(app):
    # Imported on wiring, not with the package: reading one module loads no views.
    from crm_saas.blueprints.search.routes import bp

    app.register_blueprint(bp)
