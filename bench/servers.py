"""A fresh database for one bench run, on DATABASE_URL's server or an embedded one under bench/out/."""
import os
import secrets
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from crm_saas import embedded
from crm_saas.config import sqlalchemy_url

OUT = Path(__file__).resolve().parent / "out"


@contextmanager
def bench_database():
    """Yield ``(database_url, redis_url, instance_path)``; the database is dropped on exit.

    Embedded servers this run started are stopped again (ones already running are left
    alone), so a run leaves no process behind.
    """
    OUT.mkdir(parents=True, exist_ok=True)
    own_pg = not os.environ.get("DATABASE_URL") and not (OUT / "pgdata" / "postmaster.pid").exists()
    own_redis = not os.environ.get("REDIS_URL") and not (OUT / "redis" / "redis.pid").exists()
    base_url = os.environ.get("DATABASE_URL") or embedded.ensure_postgres(str(OUT), database="postgres")
    redis_url = os.environ.get("REDIS_URL") or embedded.ensure_redis(str(OUT))
    admin_url = make_url(sqlalchemy_url(base_url)).set(drivername="postgresql")
    admin_dsn = admin_url.render_as_string(hide_password=False)
    name = f"crm_bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False), redis_url, str(OUT)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if own_pg:
            embedded.stop_postgres(str(OUT))
        if own_redis:
            embedded.stop_redis(str(OUT))
