"""The API as an integration calls it: a client that carries a bearer token, and helpers for API tests.

The fixtures built on it (``api_for``, ``admin_api``) are in conftest.py.
"""

API = "/api/v1"


class ApiClient:
    """JSON calls on one tenant's host with ``Authorization: Bearer <token>``."""

    def __init__(self, client, token=None):
        self.client, self.token = client, token

    def headers(self, extra=None):
        return {**({"Authorization": f"Bearer {self.token}"} if self.token else {}), **(extra or {})}

    def call(self, method, path, json=None, headers=None, **kwargs):
        url = path if path.startswith("http") else API + path
        return self.client.open(url, method=method, json=json, headers=self.headers(headers), **kwargs)

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.call("POST", path, json=json, **kwargs)

    def patch(self, path, json=None, **kwargs):
        return self.call("PATCH", path, json=json, **kwargs)

    def delete(self, path, **kwargs):
        return self.call("DELETE", path, **kwargs)


def get_token(client, username, password):
    response = client.post(f"{API}/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


def valid_customer(**overrides):
    data = {
        "name": "上海测试科技有限公司", "industry": "it", "source": "referral",
        "contacts": [{"name": "张三", "phone": "13800138000", "primary": True}],
    }
    return {**data, **overrides}


def change_setting(factory, tenant, key, change):
    """Change a company setting as its admin would: ``change(current value) -> new value``."""
    from sqlalchemy import select

    from crm_saas.core.settings import get_setting, set_setting
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    def run():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        set_setting(key, change(get_setting(key)), actor=admin)
        db.session.commit()

    factory._run(tenant, run)


def run_export_here(app, tenant, export_id):
    """Run an export job in this process (the worker process itself is tested elsewhere); returns its rows."""
    import crm_saas.workers.context
    from crm_saas.blueprints.exports.models import Export
    from crm_saas.core.queue import export_queue
    from crm_saas.extensions import db
    from crm_saas.tenants.binding import tenant_context
    from crm_saas.workers.context import set_app
    from crm_saas.workers.exports import run_export

    with app.app_context(), tenant_context(tenant.schema_name):
        export_queue().remove(db.session.get(Export, export_id).job_id)  # no worker must run it again
    previous = crm_saas.workers.context._app
    set_app(app)
    try:
        return run_export(tenant.schema_name, export_id)
    finally:
        set_app(previous)
