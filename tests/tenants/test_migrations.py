"""`crm-saas db upgrade`: one transaction per tenant, up-to-date tenants skipped, failures named and resumable.

The same with ``--jobs 2`` (worker processes), and what a company whose schema is behind
head gets meanwhile: the "being upgraded" 503, until its own upgrade commits.
"""
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
    import time

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
        op.execute(f"COMMENT ON COLUMN {schema}.customers.test_flag IS 'pid {os.getpid()}'")  # who migrated it
        time.sleep(0.05)  # long enough that with --jobs 2 both workers get tenants, however loaded the machine
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


def with_test_revision(tmp_path):
    """A copy of the migrations with the test revision on top of the real head: ``(directory, previous head)``."""
    from crm_saas.tenants.migrate import head

    migrations = tmp_path / "migrations"
    shutil.copytree(os.path.join(os.path.dirname(__file__), "..", "..", "migrations"), migrations)
    previous = head("tenant")
    (migrations / "tenant" / "versions" / "9999_test.py").write_text(REVISION.replace("{previous}", previous))
    return migrations, previous


def provision(app, *slugs):
    with app.app_context():
        for slug in slugs:
            provision_tenant(slug, slug.title(), {"username": "admin", "name": "A",
                                                  "password_hash": hash_password("Admin#2026")})


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


def test_jobs_upgrade_tenants_in_parallel_name_the_failure_and_resume(servers, private_database, tmp_path):
    from crm_saas import create_app
    from crm_saas.extensions import db
    from crm_saas.tenants.models import Tenant
    from tests.conftest import app_config

    migrations, previous = with_test_revision(tmp_path)
    env = dict(os.environ, DATABASE_URL=private_database, REDIS_URL=servers[1], SECRET_KEY="t")
    assert cli(["db", "upgrade"], env).returncode == 0
    app = create_app(app_config(servers, DATABASE_URL=private_database))
    slugs = [f"co{i:02d}" for i in range(12)]
    provision(app, *slugs)

    env.update(CRM_MIGRATIONS_DIR=str(migrations), CRM_TEST_FAIL_SCHEMA="t_co07")
    failed = cli(["db", "upgrade", "--jobs", "2"], env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "FAILED tenant co07 (t_co07): RuntimeError: simulated failure in t_co07" in failed.stdout
    assert "11 upgraded, 0 already at head, 1 failed" in failed.stdout
    assert "1 tenant(s) failed: co07" in failed.stderr
    with app.app_context():
        versions = dict(db.session.execute(select(Tenant.slug, Tenant.schema_version)).all())
        assert versions == {slug: previous if slug == "co07" else "9999_test" for slug in slugs}
        columns = db.session.scalars(text(
            "SELECT table_schema FROM information_schema.columns WHERE column_name = 'test_flag' ORDER BY 1"
        )).all()
        assert columns == [f"t_{slug}" for slug in slugs if slug != "co07"]  # co07's change was rolled back
        # Each tenant's own alembic_version agrees with the column the run skips by.
        stamped = {slug: db.session.scalar(text(f"SELECT version_num FROM t_{slug}.alembic_version"))
                   for slug in slugs}
        assert stamped == versions
        # Two worker processes did the work, each tenant in one of them.
        migrated_by = db.session.scalars(text(
            "SELECT DISTINCT col_description(attrelid, attnum) FROM pg_attribute WHERE attname = 'test_flag'"
        )).all()
        assert len(migrated_by) == 2, migrated_by

    del env["CRM_TEST_FAIL_SCHEMA"]
    resumed = cli(["db", "upgrade", "--jobs", "2"], env)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "upgraded tenant co07 (t_co07) to 9999_test" in resumed.stdout
    assert "1 upgraded, 11 already at head, 0 failed" in resumed.stdout
    with app.app_context():
        db.engine.dispose()


def test_a_company_behind_head_is_being_upgraded_until_its_own_upgrade_commits(
        servers, private_database, tmp_path, monkeypatch):
    """A deploy: new code (a new head) is up before `db upgrade`; one company's migration fails, then is re-run."""
    from crm_saas import create_app
    from crm_saas.extensions import db
    from tests.api_client import get_token
    from tests.conftest import HostClient, app_config

    migrations, _ = with_test_revision(tmp_path)
    env = dict(os.environ, DATABASE_URL=private_database, REDIS_URL=servers[1], SECRET_KEY="t")
    assert cli(["db", "upgrade"], env).returncode == 0
    app = create_app(app_config(servers, DATABASE_URL=private_database))
    app.instance_path = servers[2]
    provision(app, "alpha", "bravo")

    def client(slug, language="en"):
        c = HostClient(app, app.response_class, use_cookies=True)
        c.host = f"{slug}.localhost"
        assert c.post("/login", data={"username": "admin", "password": "Admin#2026"}).status_code == 302
        token = get_token(c, "admin", "Admin#2026")
        return c, {"Authorization": f"Bearer {token}", "Accept-Language": language}

    alpha, alpha_api = client("alpha")
    bravo, bravo_api = client("bravo", "zh-CN")
    assert bravo.get("/board").status_code == 200

    def being_upgraded(c, api_headers, company, *, english=True):
        page = c.get("/board", headers={"Accept-Language": "en" if english else "zh-CN"})
        assert page.status_code == 503 and page.headers["Retry-After"] == "30"
        html = page.get_data(as_text=True)
        if english:
            assert f"{company} is being upgraded" in html
            assert "This company is being upgraded to a new version." in html
        else:
            assert f"{company} 正在升级" in html and "本公司正在升级到新版本" in html
        assert 'http-equiv="refresh" content="30"' in html
        assert "/logout" not in html  # no user was loaded for it, so no menu
        fragment = c.get("/board", headers={"HX-Request": "true"})  # a poll or a form: the whole page reloads
        assert fragment.status_code == 503 and fragment.headers["HX-Refresh"] == "true"
        api = c.get("/api/v1/customers", headers=api_headers)
        assert api.status_code == 503 and api.headers["Retry-After"] == "30"
        assert set(api.get_json()) == {"message"}
        return api.get_json()["message"]

    # The new code is up (its head has moved) and `db upgrade` has not run: every company waits.
    monkeypatch.setenv("CRM_MIGRATIONS_DIR", str(migrations))
    assert being_upgraded(alpha, alpha_api, "Alpha").startswith("This company is being upgraded")
    assert being_upgraded(bravo, bravo_api, "Bravo", english=False).startswith("本公司正在升级")
    assert alpha.get("/healthz").status_code == 200
    # The language switch still works there: it only sets the cookie.
    switched = bravo.post("/language", data={"lang": "en", "next": "/board"})
    assert switched.status_code == 302 and switched.headers["Location"].endswith("/board")
    assert "Bravo is being upgraded" in bravo.get("/board", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    # A company signed up now is made and stamped at the new head: never behind.
    provision(app, "charlie")
    assert HostClient(app, app.response_class).open("/login", base_url="http://charlie.localhost").status_code == 200

    # bravo's migration fails; alpha's commits and alpha is back at once.
    env.update(CRM_MIGRATIONS_DIR=str(migrations), CRM_TEST_FAIL_SCHEMA="t_bravo")
    failed = cli(["db", "upgrade", "--jobs", "2"], env)
    assert failed.returncode == 1 and "FAILED tenant bravo (t_bravo)" in failed.stdout
    assert alpha.get("/board").status_code == 200
    assert alpha.get("/api/v1/customers", headers=alpha_api).status_code == 200
    being_upgraded(bravo, bravo_api, "Bravo")

    del env["CRM_TEST_FAIL_SCHEMA"]
    assert cli(["db", "upgrade", "--jobs", "2"], env).returncode == 0
    assert bravo.get("/board").status_code == 200  # the same session, kept through the wait
    assert bravo.get("/api/v1/customers", headers=bravo_api).status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_a_no_op_upgrade_answers_without_building_the_app_and_anything_behind_takes_the_whole_way(
        servers, private_database, tmp_path):
    from crm_saas import create_app
    from crm_saas.extensions import db
    from tests.conftest import app_config

    env = dict(os.environ, DATABASE_URL=private_database, REDIS_URL=servers[1], SECRET_KEY="t")
    assert cli(["db", "upgrade"], env).returncode == 0
    app = create_app(app_config(servers, DATABASE_URL=private_database))
    provision(app, "delta", "echo")
    # Only the database named: building the app would refuse (no REDIS_URL, no SECRET_KEY). Nothing to do
    # is answered from one psycopg query instead.
    bare = {key: value for key, value in env.items() if key not in ("REDIS_URL", "SECRET_KEY")}
    quick = cli(["db", "upgrade"], bare)
    assert quick.returncode == 0, quick.stderr
    assert quick.stdout.splitlines()[-1] == "tenants: 0 upgraded, 2 already at head, 0 failed"

    migrations, _ = with_test_revision(tmp_path)  # a new head: both companies are behind now
    refused = cli(["db", "upgrade"], {**bare, "CRM_MIGRATIONS_DIR": str(migrations)})
    assert refused.returncode == 1 and "REDIS_URL is not set" in refused.stderr  # it took the whole way
    done = cli(["db", "upgrade"], {**env, "CRM_MIGRATIONS_DIR": str(migrations)})
    assert done.returncode == 0 and "tenants: 2 upgraded, 0 already at head, 0 failed" in done.stdout
    with app.app_context():
        db.engine.dispose()
