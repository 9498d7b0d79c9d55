"""Follow-ups (跟进, E1), tasks and reminders (提醒, E2), and the timeline of a customer or deal (E3).

``services`` holds the follow-up rules (one set for the form and the API),
``services.tasks`` the tasks, ``services.reminders`` the email reminders the
RQ job sends, ``services.timeline`` and ``services.agenda`` what the pages show.
"""


def init_app(app):
    # Imported on wiring, not with the package: reading one module (say, in a migration) loads no views.
    from crm_saas.blueprints.activities import listeners
    from crm_saas.blueprints.activities.routes import bp

    app.register_blueprint(bp)
    listeners.connect()
