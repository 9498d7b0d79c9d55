"""crm_saas/tenants/heads.py reads the heads of both tracks as Alembic does, without Alembic."""
import subprocess
import sys

import pytest

from crm_saas.tenants.heads import heads
from crm_saas.tenants.migrate import PUBLIC, TENANT, script_directory


@pytest.mark.parametrize("track", [PUBLIC, TENANT])
def test_the_heads_are_alembics(track):
    assert heads(track) == tuple(sorted(script_directory(track).get_heads()))
    assert len(heads(track)) == 1


def test_a_branch_merged_and_a_new_head_are_read_right(tmp_path):
    versions = tmp_path / "tenant" / "versions"
    versions.mkdir(parents=True)
    for name, down in (("a", None), ("b", "a"), ("c", "a"), ("d", ("b", "c")), ("e", "d"), ("f", "d")):
        (versions / f"{name}.py").write_text(f'"""{name}"""\nrevision = "{name}"\ndown_revision = {down!r}\n')
    assert heads("tenant", str(tmp_path)) == ("e", "f")


def test_reading_them_loads_neither_alembic_nor_sqlalchemy():
    loaded = subprocess.run([sys.executable, "-c", "import sys; from crm_saas.tenants.heads import heads; "
                             "heads('tenant'); print(sorted(m for m in sys.modules if m.split('.')[0] in "
                             "('alembic', 'sqlalchemy', 'flask')))"], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
