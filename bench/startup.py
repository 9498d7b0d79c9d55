"""Start-up: ``create_app()`` beside importing Flask and SQLAlchemy, and a no-op ``crm-saas db upgrade``
beside the same question asked with psycopg alone, each in fresh processes (the way every gunicorn
master, worker, scheduler and deploy step pays it).
"""
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 7

CREATE_APP = ("import time; t = time.perf_counter(); from crm_saas import create_app; create_app(); "
              "print((time.perf_counter() - t) * 1000)")
FLOOR_IMPORTS = ("import time; t = time.perf_counter(); import flask, sqlalchemy; "
                 "print((time.perf_counter() - t) * 1000)")
# What a no-op upgrade must learn: the public track's version, and that no company is behind.
PSYCOPG_FLOOR = ("import os, psycopg; conn = psycopg.connect(os.environ['DATABASE_URL']); "
                 "conn.execute('SELECT version_num FROM public.alembic_version').fetchall(); "
                 "conn.execute('SELECT schema_version FROM public.tenants').fetchall()")


def _wall(argv, environment):
    start = time.perf_counter()
    done = subprocess.run(argv, env=environment, cwd=ROOT, capture_output=True, text=True)
    wall = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"{argv} failed:\n{done.stdout}\n{done.stderr}")
    return wall, done.stdout


def _median(fn):
    return statistics.median(fn() for _ in range(RUNS))


def run(database_url, redis_url, secret_key, log):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("CRM_")}
    environment.update(DATABASE_URL=database_url, REDIS_URL=redis_url, SECRET_KEY=secret_key)
    # Bytecode cached, as pip leaves an installed wheel: with PYTHONDONTWRITEBYTECODE (set on some machines)
    # every process would compile the app's ~160 modules again, ~100 ms that no deployment pays.
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    python = sys.executable
    log(f"start-up, {RUNS} fresh processes each")
    _wall([python, "-c", CREATE_APP], environment)  # writes what bytecode is missing; not timed
    interpreter = _median(lambda: _wall([python, "-c", "pass"], environment)[0])
    imports = _median(lambda: float(_wall([python, "-c", FLOOR_IMPORTS], environment)[1]))
    create_app = _median(lambda: float(_wall([python, "-c", CREATE_APP], environment)[1]))
    floor = _median(lambda: _wall([python, "-c", PSYCOPG_FLOOR], environment)[0])
    upgrade = _median(lambda: _wall([str(Path(python).with_name("crm-saas")), "db", "upgrade"], environment)[0])
    budget = 3 * (floor - interpreter) + interpreter
    return [
        ("create_app() in a fresh process", f"{create_app:8.1f} ms", f"import flask, sqlalchemy {imports:.0f} ms",
         f"ratio {create_app / imports:5.2f}", "target <= 500 ms: " + ("ok" if create_app <= 500 else "OVER")),
        ("`crm-saas db upgrade`, nothing to do (process)", f"{upgrade:8.1f} ms",
         f"psycopg floor {floor:.0f} ms (python {interpreter:.0f})", f"ratio {upgrade / floor:5.2f}",
         f"budget 3x floor + python {budget:.0f} ms: " + ("ok" if upgrade <= budget else "OVER")),
    ]
