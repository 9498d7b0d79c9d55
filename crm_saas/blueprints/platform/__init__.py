"""The platform's console on the bare base domain: operators run companies and agencies, agencies their clients.

Nothing here reads a company's business data: the console sees the public
rows (status, dates, counts, last activity) and acts on a company's schema
only to set its administrator's password.
"""


def init_app(app):
    # Imported on wiring, not with the package: reading one module (say, in a migration) loads no views.
    from crm_saas.blueprints.platform import (  # noqa: F401  (each module hangs its routes on the blueprint)
        account_routes,
        agency_routes,
        company_routes,
        operator_routes,
        staff_routes,
    )
    from crm_saas.blueprints.platform.blueprint import bp, console_title

    app.register_blueprint(bp)
    app.jinja_env.globals["console_title"] = console_title
