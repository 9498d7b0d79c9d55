"""Imports (I1): customers with their main contact, deals and follow-ups from Excel or CSV, with a dry run,
a commit job, an error workbook and a revert."""


def init_app(app):
    # Imported on wiring, not with the package: reading one module (say, in a migration) loads no views.
    from crm_saas.blueprints.imports import listeners
    from crm_saas.blueprints.imports.routes import bp

    app.register_blueprint(bp)
    listeners.connect()
