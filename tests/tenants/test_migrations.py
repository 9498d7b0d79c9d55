"""`crm-saas db upgrade`: one transaction per tenant, up-to-date tenants skipped, failures named and resumable."""
import os
import shutil
import subprocess
import sys
import textwrap

import psycopg
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from crm_saas.core.passwords import hash_password
from crm_saas.tenants.provisioning import provision_tenant

REVISION = textwrap.dedent('''
    """Test revision: adds a column, and fails for the schema named in CRM_TEST_FAIL_SCHEMA."""
    import os

    import sqlalchemy as sa
    from alembic import op

    from crm_saas.tenants.migrate import tenant_schema

    revision = "9999_test"
    down_revision = "{previous}"
    branch_labels = None
    depends_on = None


    def upgrade():
        schema = tenant_schema()
        op.add_column("customers", sa.Column("test_flag", sa.Boolean), schema=schema)
        if os.environ.get("CRM_TEST_FAIL_SCHEMA") == schema:
            raise RuntimeError("simulated failure in " + schema)


    def downgrade():
        pass
''')


@pytest.fixture
def private_database(servers):
    """A database of its own: this test moves the tenant head, which must not leak into others."""
    database_url = servers[0]
    admin = make_url(database_url)
    name = admin.database + "_mig"
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield admin.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def cli(args, env):
    return subprocess.run([sys.executable, "-m", "crm_saas.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_upgrade_skips_current_tenants_names_failures_and_resumes(servers, private_database, tmp_path):
    from crm_saas import create_app
    from crm_saas.extensions import db
    from crm_saas.tenants.models import Tenant
    from tests.conftest import app_config

    migrations = tmp_path / "migrations"
    from crm_saas.tenants.migrate import head, migrations_dir

    shutil.copytree(migrations_dir(), migrations)

    previous = head("tenant")  # the test revision goes on top of the real ones
    (migrations / "tenant" / "versions" / "9999_test.py").write_text(REVISION.replace("{previous}", previous))
    env = dict(os.environ, DATABASE_URL=private_database, REDIS_URL=servers[1], SECRET_KEY="t")

    assert cli(["db", "upgrade"], env).returncode == 0  # public schema, no tenants yet
    app = create_app(app_config(servers, DATABASE_URL=private_database))
    with app.app_context():
        for slug in ("alpha", "bravo", "charlie"):
            provision_tenant(slug, slug.title(), {"username": "admin", "name": "A",
                                                  "password_hash": hash_password("Admin#2026")})

    # A new revision appears; bravo's upgrade will fail.
    env.update(CRM_MIGRATIONS_DIR=str(migrations), CRM_TEST_FAIL_SCHEMA="t_bravo")
    failed = cli(["db", "upgrade"], env)
    assert failed.returncode != 0
    assert "bravo (t_bravo)" in failed.stdout + failed.stderr
    assert "2 upgraded, 0 already at head, 1 failed" in failed.stdout

    with app.app_context():
        versions = dict(db.session.execute(select(Tenant.slug, Tenant.schema_version)).all())
        assert versions == {"alpha": "9999_test", "bravo": previous, "charlie": "9999_test"}
        columns = db.session.scalars(text(
            "SELECT table_schema FROM information_schema.columns WHERE column_name = 'test_flag' ORDER BY 1"
        )).all()
        assert columns == ["t_alpha", "t_charlie"]  # bravo's half-done change was rolled back
        # Up-to-date schemas are skipped without being opened: hide alpha's and re-run.
        db.session.execute(text("ALTER SCHEMA t_alpha RENAME TO t_alpha_away"))
        db.session.commit()

    del env["CRM_TEST_FAIL_SCHEMA"]
    resumed = cli(["db", "upgrade"], env)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "upgraded tenant bravo (t_bravo) to 9999_test" in resumed.stdout
    assert "1 upgraded, 2 already at head, 0 failed" in resumed.stdout

    again = cli(["db", "upgrade"], env)
    assert again.returncode == 0 and "0 upgraded, 3 already at head" in again.stdout
    with app.app_context():
        db.session.execute(text("ALTER SCHEMA t_alpha_away RENAME TO t_alpha"))
        db.session.commit()
        db.engine.dispose()
