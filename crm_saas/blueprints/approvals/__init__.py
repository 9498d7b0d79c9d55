"""The approval queues (B4, C8): new customers and transfer requests waiting for a superior."""


def init_app(app):
    # Imported on wiring, not with the package: reading one module (say, in a migration) loads no views.
    from crm_saas.blueprints.approvals.routes import bp

    app.register_blueprint(bp)
