"""Follow-ups (跟进, E1), tasks and reminders (提醒, E2), and the timeline of a customer or deal (E3).

``services.py`` holds the follow-up rules (one set for the form and the
API), ``tasks.py`` the tasks, ``reminders.py`` the email reminders the RQ job
sends, ``timeline.py`` and ``agenda.py`` what the pages show.
"""


def init_app(app):
    # Imported on wiring, not with the package: reading one module (say, in a migration) loads no views.
    from crm_saas.blueprints.activities import listeners
    from crm_saas.blueprints.activities.routes import bp

    app.register_blueprint(bp)
    listeners.connect()
