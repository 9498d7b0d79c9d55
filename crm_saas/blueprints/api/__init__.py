"""Public JSON API v1 (API.md), documented by flask-smorest at /api/v1/openapi.json."""


def init_app(app):
    from crm_saas.extensions import api, csrf

    api.init_app(app)
