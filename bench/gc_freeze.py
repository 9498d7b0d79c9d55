"""p95 of the customer list under gunicorn, with the shipped settings, with and without ``gc.freeze()``.

Gunicorn servers, one after the other, each one worker and one thread
(so every pause of that worker is some request's pause), with
crm_saas/gunicorn_conf.py, alternately as shipped and with ``CRM_WEB_GC_FREEZE=0``
for ``ROUNDS`` rounds. The same signed-in person asks for the same page
``REQUESTS`` times a server, one request at a time, over HTTP; the spread of
all a setting's rounds together (p50, p95, p99, max) is what a user would see.
The ratio is p95 without the freeze over p95 with it.
"""
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

REQUESTS = 400
ROUNDS = 2
ROOT = Path(__file__).resolve().parents[1]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, environment, freeze):
        self.port = _free_port()
        env = {**environment, "CRM_WEB_WORKERS": "1", "CRM_WEB_THREADS": "1", "CRM_WEB_MAX_REQUESTS": "0",
               "CRM_WEB_GC_FREEZE": "1" if freeze else "0", "CRM_LOG_LEVEL": "WARNING"}
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen([str(gunicorn), "-c", "python:crm_saas.gunicorn_conf", "--bind",
                                         f"127.0.0.1:{self.port}"], env=env, cwd=ROOT,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def __enter__(self):
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.1)

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=60)


def _request(conn, host, method, path, body=None, cookie=None):
    headers = {"Host": host, "Accept-Language": "zh-CN"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if cookie:
        headers["Cookie"] = cookie
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    return response, data


def _percentiles(samples):
    ordered = sorted(samples)
    at = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50": statistics.median(ordered), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1]}


def measure(environment, host, username, password, freeze, path="/customers/"):
    """Sign in, warm up, then time ``REQUESTS`` page loads; returns their times in ms."""
    with Server(environment, freeze) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        response, page = _request(conn, host, "GET", "/login")
        cookie = re.search(r"(session=[^;]+)", response.getheader("Set-Cookie")).group(1)
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        response, _ = _request(conn, host, "POST", "/login", cookie=cookie, body=urllib.parse.urlencode(
            {"csrf_token": token, "username": username, "password": password}))
        assert response.status == 302, f"login: {response.status}"
        cookie = re.search(r"(session=[^;]+)", response.getheader("Set-Cookie")).group(1)
        for _ in range(30):
            _request(conn, host, "GET", path, cookie=cookie)
        samples = []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            response, _ = _request(conn, host, "GET", path, cookie=cookie)
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status == 200, response.status
        conn.close()
    return samples


def run(database_url, redis_url, secret_key, host, username, password, log):
    environment = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=redis_url, SECRET_KEY=secret_key)
    environment.pop("CRM_EMBEDDED", None)
    samples = {True: [], False: []}
    for round_ in range(1, ROUNDS + 1):  # interleaved, so what the machine does meanwhile (autovacuum) hits both
        for freeze in (True, False):
            log(f"customer list under gunicorn, round {round_} of {ROUNDS}, {REQUESTS} requests, "
                f"gc.freeze {'on' if freeze else 'off'}")
            samples[freeze] += measure(environment, host, username, password, freeze)
    on, off = _percentiles(samples[True]), _percentiles(samples[False])

    def row(label, p):
        return (label, f"p95 {p['p95']:6.1f} ms", f"p50 {p['p50']:5.1f}", f"p99 {p['p99']:6.1f}",
                f"max {p['max']:6.1f}")

    return [row("customer list, gunicorn, gc.freeze (shipped)", on),
            row("customer list, gunicorn, no gc.freeze", off),
            ("gc.freeze: p95 without / with", f"ratio {off['p95'] / on['p95']:5.2f}", "", "", "")]
