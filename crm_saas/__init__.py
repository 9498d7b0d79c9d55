"""crm_saas: a multi-tenant CRM. ``create_app`` wires config, extensions, tenancy and features.

Importing the package loads nothing else (not even Flask): the command line
answers ``--help`` and a no-op ``db upgrade`` without building an app.
"""


def create_app(config=None):
    """Build an app. ``config`` overrides defaults and the environment (tests pass theirs).

    In development (``CRM_EMBEDDED``), the embedded servers are started for
    the URLs not given (crm_saas/embedded.py): that is the one piece of work
    the factory may do, because without a database there is no app to build.
    In production a missing URL or secret stops it (config.py).
    """
    # Imported when an app is built, not with the package: ``import crm_saas`` stays cheap for the CLI.
    from flask import Flask
    from werkzeug.middleware.proxy_fix import ProxyFix

    from crm_saas import api, blueprints, embedded, tenants
    from crm_saas.config import engine_options, load_config, sqlalchemy_url
    from crm_saas.core import edge, headers, i18n, logs, permissions, templating, throttle
    from crm_saas.extensions import babel, csrf, db, login_manager

    app = Flask(__name__, instance_relative_config=True)
    load_config(app, config)
    if app.config["CRM_EMBEDDED"]:
        embedded.resolve_urls(app)
    app.config["SQLALCHEMY_DATABASE_URI"] = sqlalchemy_url(app.config["DATABASE_URL"])
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    hops = int(app.config["CRM_PROXY_HOPS"] or 0)
    if hops:  # behind a TLS proxy: the client's address and scheme come from its headers
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    logs.init_app(app)  # first: every request is timed and logged, refused ones included
    edge.init_app(app)  # its converter serves every route, its check runs before any other hook
    db.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app, babel)
    templating.init_app(app)
    headers.init_app(app)
    permissions.init_app(app)
    tenants.init_app(app)
    throttle.init_app(app)  # after tenancy: a refusal is logged in the company it happened in
    login_manager.init_app(app)
    blueprints.init_app(app)
    api.init_app(app)
    return app
