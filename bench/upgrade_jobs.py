"""One added column plus an index over every tenant: the migration runner beside psycopg doing the same work.

A throwaway revision in an extra version location (as tests/tenants/test_migrations.py
does) adds a nullable column and an index on it to ``customers``; the tenants are topped
up to ``--upgrade-tenants`` (1,000) first. Two pairs, each on fresh connections (so every
backend's catalog cache starts cold, as in a deploy):

- ``upgrade_tenants(jobs=1)`` beside psycopg over one connection (the serial floor);
- ``upgrade_tenants(jobs=2)`` (what ``crm-saas db upgrade --jobs 2`` runs, without its
  start-up, which the ``upgrade`` bench measures) beside psycopg over 2 connections,
  each taking the next tenant from one queue.

The floor does per tenant exactly what the runner must, in one transaction: the two DDL
statements, the schema's ``alembic_version`` row and ``public.tenants.schema_version``
(written back unchanged: the same row writes, and the versions stay true). Each run
adds its own column, so every run does real DDL; this bench must run last, because the
tenants end at a head only its revisions know.

Before timing, the system catalogs that provisioning just filled are vacuumed and
analyzed and a checkpoint is taken, as autovacuum and time will have done by the
time a deploy comes; without it, whichever run came first paid for the backlog
(a serial floor of 8.4 s against 2.0 s over two connections, in one run). Beside
the wall times, ``cpu`` is the runner's own CPU time a tenant (its workers'
included): on a shared 2-core machine the wall times move with what else runs,
the CPU a tenant costs much less.
"""
import queue
import resource
import shutil
import textwrap
import threading
import time
from pathlib import Path

import psycopg

from crm_saas.tenants.binding import check_schema_name

REVISION = textwrap.dedent('''
    """Bench revision: a nullable column and an index on it, in every tenant."""
    import sqlalchemy as sa
    from alembic import op

    from crm_saas.tenants.migrate import tenant_schema

    revision = "{revision}"
    down_revision = "{previous}"
    branch_labels = None
    depends_on = None


    def upgrade():
        schema = tenant_schema()
        op.add_column("customers", sa.Column("{column}", sa.Boolean), schema=schema)
        op.create_index("ix_customers_{column}", "customers", ["{column}"], schema=schema)


    def downgrade():
        pass
''')

FLOOR_SQL = (
    'ALTER TABLE "{s}".customers ADD COLUMN {column} boolean',
    'CREATE INDEX ix_customers_{column} ON "{s}".customers ({column})',
    'UPDATE "{s}".alembic_version SET version_num = version_num',
)
FLOOR_VERSION_SQL = "UPDATE public.tenants SET schema_version = schema_version WHERE id = %s"


def run(app, db, database_url, password_hash, tenants_wanted, out_dir, log):
    from sqlalchemy import select

    from crm_saas.tenants.migrate import TENANT, head, upgrade_tenants
    from crm_saas.tenants.models import Tenant

    with app.app_context():
        _top_up(db, tenants_wanted, password_hash, log)
        rows = db.session.execute(select(Tenant.id, Tenant.schema_name).order_by(Tenant.id)).all()
        db.session.remove()
        engine = db.engine
        locations = _revisions(Path(out_dir), head(TENANT))
        _settle(database_url, log)
        results = []
        for jobs, revision, extra in ((1, "bench_a", locations[:1]), (2, "bench_b", locations)):
            floor_s = _floor(database_url, rows, f"bench_floor{jobs}", jobs)
            log(f"psycopg over {jobs} connection(s): {floor_s:.1f} s; now upgrade_tenants(jobs={jobs})")
            engine.dispose()  # the runner's connections start cold, like the floor's
            cpu, start = _cpu_seconds(), time.perf_counter()
            report = upgrade_tenants(engine, jobs=jobs, extra_locations=extra)
            app_s, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
            assert not report.failed and len(report.upgraded) == len(rows), report.failed[:3]
            _check(db, revision, len(rows))
            log(f"upgrade_tenants(jobs={jobs}): {app_s:.1f} s")
            results.append((jobs, app_s, floor_s, cpu))
        shutil.rmtree(Path(out_dir), ignore_errors=True)
    serial_floor = results[0][2]
    return [
        (f"add column + index, {len(rows):,} tenants, `db upgrade --jobs {jobs}`",
         f"app {app_s:7.1f} s ", f"floor {floor_s:6.1f} s ", f"ratio {app_s / floor_s:5.2f}",
         f"[psycopg over {jobs} connection(s); {app_s * 1000 / len(rows):.1f} ms a tenant, "
         f"cpu {cpu * 1000 / len(rows):.1f} ms; {app_s / serial_floor:.2f}x the serial floor]")
        for jobs, app_s, floor_s, cpu in results
    ]


def _settle(database_url, log):
    start = time.perf_counter()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE pg_catalog.pg_class, pg_catalog.pg_attribute, pg_catalog.pg_namespace, "
                     "pg_catalog.pg_index, pg_catalog.pg_depend, pg_catalog.pg_type, pg_catalog.pg_constraint")
        try:
            conn.execute("CHECKPOINT")
        except psycopg.errors.InsufficientPrivilege:  # a server of one's own is needed for that
            log("no CHECKPOINT: this role may not take one")
    log(f"catalogs vacuumed and analyzed, checkpoint taken: {time.perf_counter() - start:.1f} s")


def _cpu_seconds():
    """CPU time of this process and of its children that ended (the --jobs workers, once their pool closes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _top_up(db, wanted, password_hash, log):
    from sqlalchemy import func, select

    from crm_saas.tenants.models import Tenant
    from crm_saas.tenants.provisioning import provision_tenant

    have = db.session.scalar(select(func.count()).select_from(Tenant))
    db.session.remove()
    if have >= wanted:
        return
    log(f"provisioning {wanted - have} more tenants (to {wanted})")
    start = time.perf_counter()
    for i in range(wanted - have):
        provision_tenant(f"u{i:04d}", f"Upgrade Co {i}", {"username": "admin", "password_hash": password_hash,
                                                          "name": "Admin"})
    db.session.remove()
    log(f"provisioned them at {(time.perf_counter() - start) * 1000 / (wanted - have):.1f} ms a tenant")


def _revisions(out_dir, previous):
    """Two version locations: ``bench_a`` on the real head, ``bench_b`` on it; each adds a column and its index."""
    locations = []
    for revision, down, column in (("bench_a", previous, "bench_a"), ("bench_b", "bench_a", "bench_b")):
        location = out_dir / revision
        location.mkdir(parents=True, exist_ok=True)
        (location / f"{revision}.py").write_text(
            REVISION.replace("{revision}", revision).replace("{previous}", down).replace("{column}", column))
        locations.append(location)
    return locations


def _floor(database_url, rows, column, connections):
    """Seconds to do each tenant's DDL and version writes by hand, over ``connections`` connections."""
    work = queue.SimpleQueue()
    for row in rows:
        work.put(row)
    statements = [sql.replace("{column}", column) for sql in FLOOR_SQL]
    errors = []

    def worker():
        with psycopg.connect(database_url, autocommit=True) as conn:  # transaction() is BEGIN ... COMMIT
            while True:
                try:
                    tenant_id, schema = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    with conn.transaction():
                        for sql in statements:
                            conn.execute(sql.replace("{s}", check_schema_name(schema)))
                        conn.execute(FLOOR_VERSION_SQL, (tenant_id,))
                except Exception as exc:  # reported after the run, all of them
                    errors.append(f"{schema}: {exc}")

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    assert not errors, errors[:3]
    return elapsed


def _check(db, column, tenants):
    from sqlalchemy import text

    with db.engine.connect() as conn:
        indexed = conn.scalar(text(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'customers' AND indexname = :name"
        ), {"name": f"ix_customers_{column}"})
    assert indexed == tenants, f"{indexed} of {tenants} tenants have ix_customers_{column}"
