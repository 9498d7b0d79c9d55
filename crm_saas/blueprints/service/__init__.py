"""Customer service (F1, 客服): service requests and complaints, their queue, timeline, due times and satisfaction.

It stands above customers, deals, follow-ups and files, whose services it
calls (a request's customer, its deal, the return-visit task, attachments);
reports count its requests; nothing else below imports it.
"""


def init_app(app):
    # Imported on wiring, not with the package: reading one module (say, in a migration) loads no views.
    from crm_saas.blueprints.service import listeners, models  # noqa: F401  (models: the tables, declared before any schema is made)
    from crm_saas.blueprints.service.routes import bp

    app.register_blueprint(bp)
    listeners.connect()
