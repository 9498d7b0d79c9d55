"""Migrations in two tracks: public once, then tenant once per schema.

Each tenant is upgraded in its own transaction and its version recorded in
``public.tenants.schema_version`` in that same transaction, so a failure
leaves that tenant as it was, the others done, and a re-run picks up exactly
the tenants still behind. Tenants already at head are skipped from that one
column, without their schema being opened.
"""
import os
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from alembic import context
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select, update

from crm_saas.extensions import db
from crm_saas.tenants.binding import check_schema_name
from crm_saas.tenants.models import Tenant
from crm_saas.tenants.recycling import note_schema

PUBLIC, TENANT = "public", "tenant"


def migrations_dir():
    """The Alembic tracks, shipped inside the package (``crm_saas/migrations``), wherever it is installed."""
    if os.environ.get("CRM_MIGRATIONS_DIR"):
        return Path(os.environ["CRM_MIGRATIONS_DIR"])
    return Path(str(files("crm_saas") / "migrations"))


def alembic_config(track, extra_locations=()):
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
    return ScriptDirectory.from_config(alembic_config(track, extra_locations))


def head(track, extra_locations=()):
    return script_directory(track, extra_locations).get_current_head()


def tenant_schema():
    """For tenant revision scripts: the schema being upgraded (pass it to every op)."""
    return context.config.attributes["tenant_schema"]


def _upgrade(connection, track, version_schema, extra_locations=(), attributes=None):
    cfg = alembic_config(track, extra_locations)
    cfg.attributes.update(attributes or {})
    script = script_directory(track, extra_locations)

    def upgrade_fn(rev, context):
        return script._upgrade_revs("head", rev)

    with EnvironmentContext(cfg, script, fn=upgrade_fn, destination_rev="head") as env:
        env.configure(connection=connection, version_table_schema=version_schema)
        with env.begin_transaction():
            env.run_migrations()


def stamp_tenant(connection, schema):
    """Record a freshly provisioned schema as being at the tenant head."""
    ctx = MigrationContext.configure(connection, opts={"version_table_schema": schema})
    ctx.stamp(script_directory(TENANT), "head")
    return head(TENANT)


def tenant_revisions(extra_locations=()):
    """Every revision of the tenant track, from head down to the baseline."""
    return [script.revision for script in script_directory(TENANT, extra_locations).walk_revisions()]


def upgrade_tenant(connection, schema, extra_locations=()):
    """Take one tenant schema to the head, inside the caller's transaction (which records the version)."""
    _upgrade(connection, TENANT, check_schema_name(schema), extra_locations, {"tenant_schema": schema})
    return head(TENANT, extra_locations)


def downgrade_tenant(connection, schema, revision):
    """Take one tenant schema down to ``revision``, inside the caller's transaction.

    The track cannot build a schema from nothing (the baseline is empty:
    companies start from ``create_all``), so a schema at an older revision
    is made by walking a fresh head schema down; restoring an old backup
    does this (tenants/backup.py). ``tests/tenants/test_migration_drift.py``
    holds the walk down and back up to the models.
    """
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


def upgrade_public(engine):
    with engine.begin() as conn:
        _upgrade(conn, PUBLIC, "public")


def upgrade_tenants(engine, *, extra_locations=(), echo=lambda line: None):
    target = head(TENANT, extra_locations)
    with engine.connect() as conn:
        rows = conn.execute(select(Tenant.id, Tenant.slug, Tenant.schema_name, Tenant.schema_version)).all()
    report = UpgradeReport()
    for tenant_id, slug, schema, version in rows:
        if version == target:
            report.skipped += 1
            continue
        try:
            with engine.begin() as conn:
                note_schema(conn, schema)  # so upgrading every tenant never keeps one backend for all of them
                _upgrade(conn, TENANT, check_schema_name(schema), extra_locations, {"tenant_schema": schema})
                conn.execute(update(Tenant).where(Tenant.id == tenant_id).values(schema_version=target))
        except Exception as exc:  # one tenant's failure must not stop the rest
            report.failed.append((slug, schema, f"{type(exc).__name__}: {exc}".splitlines()[0]))
            echo(f"FAILED tenant {slug} ({schema}): {report.failed[-1][2]}")
            continue
        report.upgraded.append(slug)
        echo(f"upgraded tenant {slug} ({schema}) to {target}")
    return report


def upgrade_all(*, extra_locations=(), echo=lambda line: None):
    engine = db.engine
    upgrade_public(engine)
    echo(f"public schema at {head(PUBLIC)}")
    report = upgrade_tenants(engine, extra_locations=extra_locations, echo=echo)
    echo(
        f"tenants: {len(report.upgraded)} upgraded, {report.skipped} already at head, "
        f"{len(report.failed)} failed"
    )
    return report


def run_from_alembic_cli():
    raise SystemExit("Apply migrations with `crm-saas db upgrade`; this track is driven per tenant.")
