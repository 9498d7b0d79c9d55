"""What management reads (H1-H3): the dashboard, the report centre, sales targets and report exports.

It stands above every feature it counts (customers, deals, follow-ups,
tasks, pools) and above exports, whose jobs it starts; nothing below
imports it. Every figure comes from ``services.base``, the visible records
narrowed by the one scope (``services.scope``), so a number and the list
behind it (``drill``) are read from the same statement.
"""


def init_app(app):
    # Imported on wiring, not with the package: reading one module (say, in a migration) loads no views.
    from crm_saas.blueprints.reports import models  # noqa: F401  (the tables, declared before any schema is made)
    from crm_saas.blueprints.reports.routes import bp

    app.register_blueprint(bp)
