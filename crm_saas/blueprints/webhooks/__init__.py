"""Webhooks: endpoints an admin registers, and the delivery of the outbox's events to them (signed, retried,
logged, disabled after repeated failures).

It reads only the core's outbox (core/outbox.py), which every feature writes
through its ``watch`` declarations, so it imports no other feature.
"""


def init_app(app):
    # Imported on wiring, not with the package: reading one module (say, in a migration) loads no views.
    from crm_saas.blueprints.webhooks import listeners, models  # noqa: F401  (models: the tables, declared before any schema is made)
    from crm_saas.blueprints.webhooks.routes import bp

    app.register_blueprint(bp)
    listeners.connect()
