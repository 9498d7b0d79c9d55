"""gunicorn's settings for crm_saas (deploy/README.md).

In a checkout ``gunicorn`` reads them from ./gunicorn.conf.py; installed
from the wheel, ``gunicorn -c python:crm_saas.gunicorn_conf``.

Each can be changed from the environment (``CRM_WEB_*``) without editing
this file. The app is loaded once in the master (``preload_app``) and its
objects frozen out of the garbage collector's reach (``gc.freeze``) before
the workers fork: the workers share those pages instead of copying them on
the first collection, and a full collection no longer walks the ~200k
objects of the loaded app on some request every few dozen (see
bench/gc_freeze.py).
"""
import gc
import os

from crm_saas.extensions import db

wsgi_app = "crm_saas:create_app()"
bind = os.environ.get("CRM_WEB_BIND", "127.0.0.1:8000")  # the TLS proxy in front forwards here
# Threads serve the waits on PostgreSQL; processes use the cores. Each process has its own connection pool
# (CRM_SQLALCHEMY_ENGINE_OPTIONS): workers x pool size is what PostgreSQL (or pgbouncer) must accept.
workers = int(os.environ.get("CRM_WEB_WORKERS", min(2 * (os.cpu_count() or 1), 8)))
worker_class = "gthread"
threads = int(os.environ.get("CRM_WEB_THREADS", 4))
timeout = int(os.environ.get("CRM_WEB_TIMEOUT", 60))  # a request never takes this long: exports run in workers
graceful_timeout = 30
keepalive = 5
# A worker is replaced after so many requests (jittered, so not all at once): what a long life accumulates
# (caches, fragmentation) stays bounded.
max_requests = int(os.environ.get("CRM_WEB_MAX_REQUESTS", 5000))
max_requests_jitter = max_requests // 10
preload_app = True
accesslog = None  # the app writes one JSON line per request (crm_saas/core/logs.py)
errorlog = "-"
forwarded_allow_ips = os.environ.get("CRM_WEB_FORWARDED_ALLOW_IPS", "127.0.0.1")


def pre_fork(server, worker):
    """Everything loaded so far is the app itself, the same in every worker: keep it out of collections.

    ``CRM_WEB_GC_FREEZE=0`` leaves it to the collector (for comparing, bench/gc_freeze.py).
    """
    if os.environ.get("CRM_WEB_GC_FREEZE", "1") != "0":
        gc.freeze()


def post_fork(server, worker):
    """A worker starts with empty pools: nothing connected in the master may be shared with it."""
    app = server.app.wsgi()
    with app.app_context():
        db.engine.dispose(close=False)
