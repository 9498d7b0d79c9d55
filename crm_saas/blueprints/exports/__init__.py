"""Exports (H3): a spreadsheet of the records the requester sees, made by an RQ worker."""


def init_app(app):
    # Imported on wiring, not with the package: reading one module (say, in a migration) loads no views.
    from crm_saas.blueprints.exports.routes import bp

    app.register_blueprint(bp)
