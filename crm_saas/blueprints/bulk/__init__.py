"""Bulk actions on the customer list (I2): transfer, share, tag, untag, release, delete or export many at once."""


def init_app(app):
    # Imported on wiring, not with the package: reading one module (say, in a migration) loads no views.
    from crm_saas.blueprints.bulk.routes import bp

    app.register_blueprint(bp)
