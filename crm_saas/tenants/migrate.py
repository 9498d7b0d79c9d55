"""Migrations in two tracks: public once, then tenant once per schema.

Each tenant is upgraded in its own transaction and its version recorded in
``public.tenants.schema_version`` in that same transaction, so a failure
leaves that tenant as it was, the others done, and a re-run picks up exactly
the tenants still behind. Tenants already at head are skipped from that one
column, without their schema being opened.

The same column is what the web reads to refuse a tenant whose schema is
not at this code's head (``tenants/resolve.py``): it is written in the very
transaction that changes the schema, so a company is served again the
moment its own upgrade commits, and never before.

``--jobs N`` runs the tenant track in N worker processes (see
``_in_processes`` for why processes and not threads).
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from crm_saas.extensions import db
from crm_saas.tenants.binding import check_schema_name
from crm_saas.tenants.heads import head as packaged_head
from crm_saas.tenants.heads import migrations_dir
from crm_saas.tenants.models import Tenant

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

PUBLIC, TENANT = "public", "tenant"

# Alembic is imported by the functions that run migrations, not with this module: every process imports
# this module (provisioning stamps new schemas), and Alembic costs a fresh process 0.17 s it rarely needs.


def alembic_config(track, extra_locations=()):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir() / track))
    locations = [str(migrations_dir() / track / "versions"), *map(str, extra_locations)]
    cfg.set_main_option("version_locations", " ".join(locations))
    cfg.set_main_option("path_separator", "space")
    return cfg


def script_directory(track, extra_locations=()):
    return _scripts(track, tuple(map(str, extra_locations)), str(migrations_dir()))


@lru_cache(maxsize=32)
def _scripts(track, extra_locations, _where):
    """Parsing the revision files costs milliseconds: once per process, not once per tenant."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(track, extra_locations))


def head(track, extra_locations=()):
    """The track's head revision; ``head(TENANT)`` is what every request compares its tenant's version to.

    Without extra version locations, read from the revision files without
    Alembic and cached per process (tenants/heads.py); with them (tests that
    add revisions), Alembic's answer, cached too.
    """
    if not extra_locations:
        return packaged_head(track)
    return _head(track, tuple(map(str, extra_locations)), str(migrations_dir()))


@lru_cache(maxsize=32)
def _head(track, extra_locations, _where):
    return script_directory(track, extra_locations).get_current_head()


def tenant_schema():
    """For tenant revision scripts: the schema being upgraded (pass it to every op)."""
    from alembic import context

    return context.config.attributes["tenant_schema"]


def _upgrade(connection, cfg, script, version_schema, *, version_table_exists=False):
    """Run the track of ``cfg``/``script`` to its head on ``connection``, in the transaction the caller holds.

    ``version_table_exists``: skip Alembic's question whether ``alembic_version``
    exists before it reads it. Every tenant schema has one from the moment it is
    provisioned (stamped in the same transaction), and the question is one
    PostgreSQL answers slowly at scale: every tenant's table has the same name,
    so unless ``pg_class``'s statistics are fresh (right after tenants were
    added, they are not) the plan walks all of them, 13.6 ms a question at
    1,000 schemas against 0.1 ms once analyzed: asked once per tenant, a run
    grows with the square of the tenants. A schema without the table fails on
    the read that follows and is named like any other failure.
    """
    from alembic.runtime.environment import EnvironmentContext

    def upgrade_fn(rev, context):
        return script._upgrade_revs("head", rev)

    with EnvironmentContext(cfg, script, fn=upgrade_fn, destination_rev="head") as env:
        env.configure(connection=connection, version_table_schema=version_schema)
        if version_table_exists:
            env.get_context()._has_version_table = lambda: True
        with env.begin_transaction():
            env.run_migrations()


def stamp_tenant(connection, schema):
    """Record a freshly provisioned schema as being at the tenant head.

    The schema was made in this very transaction, so its version table is
    created and written directly, in Alembic's own shape
    (``version_table_impl``): ``MigrationContext.stamp`` would first ask
    ``pg_class`` twice whether the table exists, the question ``_upgrade``
    explains, whose cost grows with every tenant signed up.
    """
    from alembic.runtime.migration import MigrationContext

    ctx = MigrationContext.configure(connection, opts={"version_table_schema": schema})
    table = ctx.impl.version_table_impl(version_table="alembic_version", version_table_schema=schema,
                                        version_table_pk=True)
    version = head(TENANT)
    table.create(connection, checkfirst=False)
    connection.execute(table.insert().values(version_num=version))
    return version


def tenant_revisions(extra_locations=()):
    """Every revision of the tenant track, from head down to the baseline."""
    return [script.revision for script in script_directory(TENANT, extra_locations).walk_revisions()]


def upgrade_schema(connection, schema, extra_locations=()):
    """Take one tenant schema to the head, inside the caller's transaction (which records the version)."""
    track = TenantTrack.at_head(extra_locations)
    track.config.attributes["tenant_schema"] = check_schema_name(schema)
    _upgrade(connection, track.config, track.script, schema, version_table_exists=True)
    return track.target


def downgrade_tenant(connection, schema, revision):
    """Take one tenant schema down to ``revision``, inside the caller's transaction.

    The track cannot build a schema from nothing (the baseline is empty:
    companies start from ``create_all``), so a schema at an older revision
    is made by walking a fresh head schema down; restoring an old backup
    does this (tenants/backup.py). ``tests/tenants/test_migration_drift.py``
    holds the walk down and back up to the models.
    """
    from alembic.runtime.environment import EnvironmentContext

    schema = check_schema_name(schema)
    cfg = alembic_config(TENANT)
    cfg.attributes["tenant_schema"] = schema
    script = script_directory(TENANT)

    def downgrade_fn(rev, context):
        return script._downgrade_revs(revision, rev)

    with EnvironmentContext(cfg, script, fn=downgrade_fn, destination_rev=revision) as env:
        env.configure(connection=connection, version_table_schema=schema)
        with env.begin_transaction():
            env.run_migrations()


@dataclass
class UpgradeReport:
    upgraded: list = field(default_factory=list)
    skipped: int = 0
    failed: list = field(default_factory=list)  # (slug, schema, error)


@dataclass
class TenantTrack:
    """What every tenant's upgrade in one run shares, built once (forked workers inherit it).

    ``config.attributes["tenant_schema"]`` is set for each tenant in turn:
    a process upgrades one tenant at a time, and building the config per
    tenant (finding the directory, a ConfigParser) cost about half a
    millisecond a tenant.
    """

    target: str
    config: Config
    script: ScriptDirectory

    @classmethod
    def at_head(cls, extra_locations=()):
        return cls(head(TENANT, extra_locations), alembic_config(TENANT, extra_locations),
                   script_directory(TENANT, extra_locations))


def upgrade_public(engine):
    with engine.begin() as conn:
        _upgrade(conn, alembic_config(PUBLIC), script_directory(PUBLIC), "public")


def upgrade_tenants(engine, *, jobs=1, extra_locations=(), echo=lambda line: None):
    """Upgrade every tenant whose recorded version is not the head; ``jobs`` > 1 upgrades that many at once.

    Each line is echoed as its tenant finishes (in finishing order with
    several jobs), so a long run shows progress and every failure is named.
    """
    track = TenantTrack.at_head(extra_locations)  # the scripts are parsed here, once, before any worker starts
    with engine.connect() as conn:
        rows = conn.execute(select(Tenant.id, Tenant.slug, Tenant.schema_name, Tenant.schema_version)).all()
    behind = [(tenant_id, slug, schema) for tenant_id, slug, schema, version in rows if version != track.target]
    report = UpgradeReport(skipped=len(rows) - len(behind))
    if jobs > 1 and len(behind) > 1:
        outcomes = _in_processes(engine, behind, track, jobs)
    else:
        outcomes = _one_by_one(engine, behind, track)
    for slug, schema, error in outcomes:
        if error is None:
            report.upgraded.append(slug)
            echo(f"upgraded tenant {slug} ({schema}) to {track.target}")
        else:
            report.failed.append((slug, schema, error))
            echo(f"FAILED tenant {slug} ({schema}): {error}")
    return report


def _one_by_one(engine, behind, track):
    with engine.connect() as conn:
        for tenant in behind:
            yield upgrade_tenant(conn, tenant, track)


def upgrade_tenant(conn, tenant, track):
    """One tenant in one transaction, its version recorded in it: ``(slug, schema, None or the error)``.

    ``conn`` serves a whole run (one per worker): a pool checkout per tenant
    would add the engine's pre-ping, a round trip per tenant. A tenant's
    failure rolls its transaction back and leaves the connection usable; if
    the connection itself was lost, SQLAlchemy invalidates it and the next
    tenant's ``begin`` connects afresh.
    """
    tenant_id, slug, schema = tenant
    try:
        track.config.attributes["tenant_schema"] = check_schema_name(schema)
        with conn.begin():
            _upgrade(conn, track.config, track.script, schema, version_table_exists=True)
            conn.execute(update(Tenant).where(Tenant.id == tenant_id).values(schema_version=track.target))
    except Exception as exc:  # one tenant's failure must not stop the rest
        return slug, schema, f"{type(exc).__name__}: {exc}".splitlines()[0]
    return slug, schema, None


def _in_processes(engine, behind, track, jobs):
    """Yield each tenant's outcome from ``jobs`` forked worker processes, each with a connection of its own.

    Processes, not threads: Alembic's ``context`` and ``op`` are module-level
    proxies that each ``EnvironmentContext``/``Operations`` installs for the
    whole interpreter, so two threads migrating at once would send one
    tenant's ``op.add_column`` through the other's connection and schema.
    A lock around each tenant would make that safe and serial again (the
    Alembic work and the DDL's round trips both sit inside it).

    Forked, not spawned: a child starts in milliseconds with the parent's
    imports and its already parsed script directory (parsed once for the
    whole run, as with one job), where a spawned one would import the app and
    parse the scripts again. The parent closes its pooled connections before
    forking and each child drops what it inherited without closing it
    (``dispose(close=False)``), so no connection is ever shared; each child
    then opens one connection for its life (the socket closes with the
    process, outside any transaction: PostgreSQL logs nothing). Tenants are
    handed out one at a time, so a slow tenant never holds up a batch behind
    it. A worker that dies (killed, out of memory) fails the tenants it had
    not finished, by name, like any other failure; the next run retries them.
    """
    engine.dispose()  # nothing open to inherit
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(behind)), mp_context=context,
                               initializer=_start_worker, initargs=(engine, track))
    with pool:
        futures = {pool.submit(_upgrade_in_worker, tenant): tenant for tenant in behind}
        for future in as_completed(futures):
            try:
                yield future.result()
            except BrokenProcessPool as exc:
                _, slug, schema = futures[future]
                yield slug, schema, f"{type(exc).__name__}: a worker process died: {exc}".splitlines()[0]


_worker = {}


def _start_worker(engine, track):
    engine.dispose(close=False)  # the parent's pool, if anything was left in it, stays the parent's
    _worker.update(connection=engine.connect(), track=track)


def _upgrade_in_worker(tenant):
    return upgrade_tenant(_worker["connection"], tenant, _worker["track"])


def upgrade_all(*, jobs=1, extra_locations=(), echo=lambda line: None):
    engine = db.engine
    upgrade_public(engine)
    echo(f"public schema at {head(PUBLIC)}")
    report = upgrade_tenants(engine, jobs=jobs, extra_locations=extra_locations, echo=echo)
    echo(
        f"tenants: {len(report.upgraded)} upgraded, {report.skipped} already at head, "
        f"{len(report.failed)} failed"
    )
    return report


def run_from_alembic_cli():
    raise SystemExit("Apply migrations with `crm-saas db upgrade`; this track is driven per tenant.")
