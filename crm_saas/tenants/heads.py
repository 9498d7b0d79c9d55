"""Where the migration tracks live and which revisions are their heads, without loading Alembic.

Alembic, with SQLAlchemy under it, costs a fresh process about half a
second to import; a deploy's ``crm-saas db upgrade`` with nothing to do must
not pay it (cli.py asks PostgreSQL with psycopg alone first). The heads are
read from the revision files' ``revision``/``down_revision`` assignments,
parsed, not run: a head is a revision no other revision comes down from.
tests/tenants/test_heads.py holds the answer equal to Alembic's own.
"""
import ast
import os
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

MIGRATIONS_DIR_VARIABLE = "CRM_MIGRATIONS_DIR"  # tests point it at a copy with revisions of their own


def migrations_dir():
    """The Alembic tracks, shipped inside the package (``crm_saas/migrations``), wherever it is installed."""
    if os.environ.get(MIGRATIONS_DIR_VARIABLE):
        return Path(os.environ[MIGRATIONS_DIR_VARIABLE])
    return Path(str(files("crm_saas") / "migrations"))


def _assignments(path):
    """The module-level ``revision`` and ``down_revision`` of one revision file."""
    found = {}
    for node in ast.parse(path.read_text(encoding="utf-8"), str(path)).body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                    found[target.id] = ast.literal_eval(node.value)
    return found


def head(track):
    """The one head of ``track``: what every request compares its tenant's version to (tenants/resolve.py).

    Cached per process, keyed by the directory override: a dictionary lookup.
    """
    found = heads(track, os.environ.get(MIGRATIONS_DIR_VARIABLE))
    if len(found) != 1:
        raise RuntimeError(f"the {track} track has {len(found)} heads ({', '.join(found)}): merge them")
    return found[0]


@lru_cache(maxsize=8)
def heads(track, directory=None):
    """The head revisions of ``track`` ("public" or "tenant"), as a sorted tuple."""
    versions = Path(directory or migrations_dir()) / track / "versions"
    revisions, below = set(), set()
    for path in versions.glob("*.py"):
        found = _assignments(path)
        if "revision" not in found:
            continue
        revisions.add(found["revision"])
        down = found.get("down_revision")
        below.update(down if isinstance(down, tuple | list) else [down] if down else [])
    return tuple(sorted(revisions - below))


def nothing_to_upgrade(database_url):
    """``(public head, companies)`` when the database is at both heads already, else None; psycopg alone.

    What a deploy's ``crm-saas db upgrade`` asks first (cli.py): with nothing
    to do it answers in one round trip, without Flask, SQLAlchemy or Alembic;
    anything else (a fresh database, a company behind, an error) goes the
    whole way, which says what it does.
    """
    import psycopg  # noqa: PLC0415  (only this question needs it)

    for prefix in ("postgresql+psycopg://", "postgres://"):
        if database_url.startswith(prefix):
            database_url = "postgresql://" + database_url[len(prefix):]
    public, tenant = head("public"), head("tenant")
    try:
        with psycopg.connect(database_url, connect_timeout=10, prepare_threshold=None) as conn:
            if conn.execute("SELECT to_regclass('public.alembic_version') IS NULL").fetchone()[0]:
                return None
            versions = {row[0] for row in conn.execute("SELECT version_num FROM public.alembic_version")}
            companies, behind = conn.execute(
                "SELECT count(*), count(*) FILTER (WHERE schema_version IS DISTINCT FROM %s) FROM public.tenants",
                (tenant,)).fetchone()
    except psycopg.Error:
        return None
    return (public, companies) if versions == {public} and behind == 0 else None
