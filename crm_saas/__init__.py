"""crm_saas: a multi-tenant CRM. ``create_app`` wires config, extensions, tenancy and features."""
from flask import Flask


def create_app(config=None):
    """Build an app. ``config`` overrides defaults and the environment (tests pass theirs).

    With no ``DATABASE_URL``/``REDIS_URL`` the embedded servers are started
    (crm_saas/embedded.py): that is the one piece of work the factory may do,
    because without a database there is no app to build.
    """
    # Imported when an app is built, not with the package: ``import crm_saas`` stays cheap for the CLI.
    from crm_saas import api, blueprints, embedded, tenants
    from crm_saas.config import load_config, sqlalchemy_url
    from crm_saas.core import i18n, permissions, templating
    from crm_saas.extensions import babel, csrf, db, login_manager

    app = Flask(__name__, instance_relative_config=True)
    load_config(app, config)
    embedded.resolve_urls(app)
    app.config["SQLALCHEMY_DATABASE_URI"] = sqlalchemy_url(app.config["DATABASE_URL"])

    db.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app, babel)
    templating.init_app(app)
    permissions.init_app(app)
    tenants.init_app(app)
    login_manager.init_app(app)
    blueprints.init_app(app)
    api.init_app(app)
    return app
