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


def migrations_dir():
    """The Alembic tracks, shipped inside the package (``crm_saas/migrations``), wherever it is installed."""
    if os.environ.get("CRM_MIGRATIONS_DIR"):
        return Path(os.environ["CRM_MIGRATIONS_DIR"])
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
