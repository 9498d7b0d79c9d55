"""Backups per company: a backup restored under a new slug is the same company, and nothing else is touched.

The comparisons are computed here, independently of the code under test:
for every table of a schema, its row count and the md5 of its rows as text
in primary-key order.
"""
import io
import os
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from tests.api_client import ApiClient, change_setting, get_token, valid_customer
from tests.blueprints.files.test_files import pdf_bytes, png_bytes
from tests.conftest import ADMIN_PASSWORD, TenantInfo, login, new_slug

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def fingerprint(app, schema):
    """``{table: (rows, md5 of the rows as text in primary-key order)}`` for every table of ``schema``."""
    from crm_saas.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        tables = conn.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = :s ORDER BY 1"),
                              {"s": schema}).all()
        result = {}
        for table in tables:
            keys = conn.scalars(text(
                "SELECT quote_ident(a.attname) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = (quote_ident(:s) || '.' || quote_ident(:t))::regclass "
                "AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)"), {"s": schema, "t": table}).all()
            order = ", ".join(f"r.{key}" for key in keys) or "r::text"
            result[table] = tuple(conn.execute(text(
                f'SELECT count(*), md5(coalesce(string_agg(r::text, E\'\\n\' ORDER BY {order}), \'\')) '
                f'FROM "{schema}"."{table}" AS r')).one())
    return result


def files_of(app, schema):
    folder = os.path.join(files_root(app), schema)
    if not os.path.isdir(folder):
        return {}
    return {name: open(os.path.join(folder, name), "rb").read() for name in sorted(os.listdir(folder))}


def files_root(app):
    return app.config.get("CRM_FILES_DIR") or os.path.join(app.instance_path, "files")


def iso(delta):
    return (datetime.now(timezone.utc) + delta).isoformat(timespec="seconds")


def created(response):
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def upload(api, path, name, content):
    return created(api.call("POST", path, data={"file": (io.BytesIO(content), name)},
                            content_type="multipart/form-data"))


def fill(tenant, factory, api_for, client_for):
    """A company using every part: a staff tree, customers, custom values, deals, follow-ups, tasks, files, settings.

    Through the API where a user would, so the operation log, change logs and stage history fill as they do.
    """
    admin_api = api_for(tenant)
    director = created(admin_api.post("/staff", json={"username": "director", "password": "Start#2026",
                                                      "name": "总监", "role": "supervisor"}))
    lead = created(admin_api.post("/staff", json={"username": "lead", "password": "Start#2026", "name": "组长",
                                                  "role": "supervisor", "superior_id": director["id"]}))
    factory.user(tenant, "rep", superior_id=lead["id"])
    created(admin_api.post("/custom-fields", json={"entity": "customer", "label": "Level", "type": "choice",
                                                   "options": ["A", "B"]}))
    created(admin_api.post("/custom-fields", json={"entity": "deal", "label": "Signed on", "type": "date"}))
    rep_api = api_for(tenant, "rep")
    customer = created(rep_api.post("/customers", json=valid_customer(custom={"level": "A"}, tags=["重点"], contacts=[
        {"name": "张三", "phone": "13800138000", "primary": True}, {"name": "李四", "email": "li@example.com"}])))
    other = created(admin_api.post("/customers", json=valid_customer(name="北京远航贸易有限公司", custom={"level": "B"})))
    gone = created(admin_api.post("/customers", json=valid_customer(name="回收站的客户")))
    assert admin_api.delete(f"/customers/{gone['id']}").status_code == 204
    assert rep_api.patch(f"/customers/{customer['id']}", json={"remarks": "老客户", "reason": "补充"}).status_code == 200
    stages = admin_api.get("/pipelines").get_json()[0]["stages"]
    deal = created(rep_api.post("/deals", json={
        "name": "年度框架", "customer_id": customer["id"], "amount": "12345.6", "expected_close": "2027-03-31",
        "products": [{"name": "CRM 年费", "quantity": "2", "price": "5000"}], "custom": {"signed_on": "2027-01-15"},
    }))
    assert rep_api.post(f"/deals/{deal['id']}/move", json={"stage_id": stages[1]["id"]}).status_code == 200
    second = created(admin_api.post("/deals", json={"name": "试点", "customer_id": other["id"], "amount": "800"}))
    lost = next(s for s in stages if s["kind"] == "lost")
    assert admin_api.post(f"/deals/{second['id']}/move", json={"stage_id": lost["id"],
                                                               "lost_reason": "价格太高"}).status_code == 200
    created(rep_api.post("/activities", json={
        "customer_id": customer["id"], "deal_id": deal["id"], "type": "meeting", "occurred_at": iso(-timedelta(hours=3)),
        "summary": "方案讲解", "next_action": "发合同", "next_follow_up_at": iso(timedelta(days=2)),
    }))
    created(rep_api.post("/tasks", json={"title": "寄样品", "due_at": iso(timedelta(days=1)), "deal_id": deal["id"]}))
    quote = pdf_bytes()
    upload(rep_api, f"/customers/{customer['id']}/files", "报价单.pdf", quote)
    upload(admin_api, f"/deals/{deal['id']}/files", "photo.png", png_bytes())
    change_setting(factory, tenant, "deal_rotting_days", lambda days: 7)
    browser = client_for(tenant)
    assert login(browser, "admin", ADMIN_PASSWORD).status_code == 302  # a login session and a login event
    return {"customer": customer, "deal": deal, "gone": gone, "quote": quote, "browser": browser}


def sequences(app, schema):
    """``{sequence: the last value it handed out}`` (None: none yet)."""
    from crm_saas.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        return dict(conn.execute(text("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = :s"),
                                 {"s": schema}).all())


def restored_info(slug):
    return TenantInfo(0, slug, "t_" + slug.replace("-", "_"), f"{slug}.localhost")


def leftovers(app, slug):
    """What a restore under ``slug`` could have left: its tenant row, its schema, its files, a staging folder."""
    from crm_saas.extensions import db

    schema = "t_" + slug.replace("-", "_")
    with app.app_context(), db.engine.connect() as conn:
        rows = conn.scalar(text("SELECT count(*) FROM public.tenants WHERE slug = :s OR schema_name = :schema"),
                           {"s": slug, "schema": schema})
        domains = conn.scalar(text("SELECT count(*) FROM public.tenant_domains WHERE domain LIKE :d"),
                              {"d": f"{slug}.%"})
        schemas = conn.scalar(text("SELECT count(*) FROM pg_namespace WHERE nspname = :s"), {"s": schema})
    root = files_root(app)
    staged = [name for name in os.listdir(root) if name.startswith(f".restore-{schema}")] if os.path.isdir(root) else []
    return {"rows": rows, "domains": domains, "schemas": schemas, "files": files_of(app, schema), "staged": staged}


NOTHING = {"rows": 0, "domains": 0, "schemas": 0, "files": {}, "staged": []}


def test_backup_and_restore_round_trip(app, tenant, make_tenant, factory, api_for, client_for, tmp_path):
    from crm_saas.tenants.backup import backup_tenant
    from crm_saas.tenants.migrate import head
    from crm_saas.tenants.provisioning import SlugError
    from crm_saas.tenants.restore import read_manifest, restore_tenant

    data = fill(tenant, factory, api_for, client_for)
    neighbour = make_tenant()
    factory.customer(neighbour, factory.admin_id(neighbour), name="邻居的客户")
    before, neighbour_before = fingerprint(app, tenant.schema_name), fingerprint(app, neighbour.schema_name)
    original_files = files_of(app, tenant.schema_name)
    assert len(original_files) == 2
    assert all(before[table][0] > 0 for table in (
        "users", "customers", "contacts", "custom_fields", "deals", "deal_stage_changes", "deal_changes",
        "customer_changes", "activities", "tasks", "attachments", "settings", "operation_log", "login_sessions",
        "login_events", "api_tokens", "pipelines", "stages"))

    archive = str(tmp_path / "company.zip")
    with app.app_context():
        report = backup_tenant(tenant.slug, archive)
    assert (report.slug, report.revision, report.files) == (tenant.slug, head("tenant"), 2)
    assert report.tables == len(before) - 1  # every table but alembic_version, whose revision is in the manifest
    assert os.stat(archive).st_mode & 0o077 == 0  # passwords' hashes and customers' data: the owner's only
    manifest = read_manifest(archive)
    assert manifest["tenant"]["slug"] == tenant.slug and manifest["tenant"]["name"] == f"Company {tenant.slug}"
    assert {t["name"]: t["rows"] for t in manifest["tables"]} == {
        table: rows for table, (rows, _) in before.items() if table != "alembic_version"}

    copy = new_slug("copy")
    with app.app_context():
        restored = restore_tenant(archive, copy)
    assert (restored.slug, restored.original_slug, restored.files) == (copy, tenant.slug, 2)
    copy_info = restored_info(copy)

    # The copy is the same company, table for table and file for file; the original and its neighbour are untouched.
    assert fingerprint(app, copy_info.schema_name) == before
    assert files_of(app, copy_info.schema_name) == original_files
    assert fingerprint(app, tenant.schema_name) == before
    assert files_of(app, tenant.schema_name) == original_files
    assert fingerprint(app, neighbour.schema_name) == neighbour_before
    assert sequences(app, copy_info.schema_name) == sequences(app, tenant.schema_name)
    from crm_saas.extensions import db

    with app.app_context():
        row = db.session.execute(text(
            "SELECT t.name, t.status, t.schema_version, t.created_at, d.domain FROM public.tenants t "
            "JOIN public.tenant_domains d ON d.tenant_id = t.id WHERE t.slug = :s"), {"s": copy}).one()
        original = db.session.execute(text("SELECT name, status, created_at FROM public.tenants WHERE slug = :s"),
                                      {"s": tenant.slug}).one()
        db.session.remove()
    assert tuple(row) == (*original[:2], head("tenant"), original[2], f"{copy}.localhost")

    # A browser signed in to the original is not signed in to the copy, even with its cookie carried over by hand:
    # the session rows came along, but the cookie names the original company.
    cookie = data["browser"].get_cookie("session", domain=tenant.host)
    carried = client_for(copy_info)
    carried.set_cookie("session", cookie.value, domain=copy_info.host)
    refused = carried.get(f"/customers/{data['customer']['id']}")
    assert refused.status_code == 302 and "/login" in refused.location

    # The same admin password works on the copy's host; its pages and API read the same customer, deal and file.
    browser = client_for(copy_info)
    assert login(browser, "admin", ADMIN_PASSWORD).status_code == 302
    page = browser.get(f"/customers/{data['customer']['id']}")
    assert page.status_code == 200 and data["customer"]["name"] in page.get_data(as_text=True)
    deal_page = browser.get(f"/deals/{data['deal']['id']}")
    assert deal_page.status_code == 200 and "年度框架" in deal_page.get_data(as_text=True)
    copy_api, original_api = api_for(copy_info), api_for(tenant)  # signing in to the original changes it
    for path in (f"/customers/{data['customer']['id']}", f"/deals/{data['deal']['id']}"):
        assert copy_api.get(path).get_json() == original_api.get(path).get_json()
    settled = fingerprint(app, tenant.schema_name)
    files = copy_api.get(f"/customers/{data['customer']['id']}/files").get_json()["items"]
    assert [f["file_name"] for f in files] == ["报价单.pdf"]
    assert copy_api.get(files[0]["download_url"]).data == data["quote"]

    # The copy adds records, numbered where the original would number them next.
    added = created(copy_api.post("/customers", json=valid_customer(name="恢复后新增的客户")))
    assert added["id"] == data["gone"]["id"] + 1
    created(copy_api.post("/deals", json={"name": "新商机", "customer_id": added["id"], "amount": "1"}))

    # Restoring again under a slug a company has is refused, and leaves nothing.
    with app.app_context(), pytest.raises(SlugError) as taken:
        restore_tenant(archive)
    assert taken.value.code == "taken"
    with app.app_context(), pytest.raises(SlugError):
        restore_tenant(archive, copy)
    assert fingerprint(app, tenant.schema_name) == settled  # work in the copy does not reach the original


def test_a_restore_that_fails_midway_leaves_nothing(app, tenant, factory, api_for, client_for, tmp_path):
    from crm_saas.tenants.backup import BackupError, backup_tenant
    from crm_saas.tenants.restore import restore_tenant

    fill(tenant, factory, api_for, client_for)
    before = fingerprint(app, tenant.schema_name)
    archive = tmp_path / "company.zip"
    with app.app_context():
        backup_tenant(tenant.slug, str(archive))

    # A hook that raises just before the commit, after the rows are loaded and the files staged.
    slug = new_slug("fail")

    def boom(connection):
        assert connection.scalar(text(f'SELECT count(*) FROM "t_{slug.replace("-", "_")}".customers')) == 3
        raise RuntimeError("simulated failure")

    with app.app_context(), pytest.raises(RuntimeError, match="simulated failure"):
        restore_tenant(str(archive), slug, hook=boom)
    assert leftovers(app, slug) == NOTHING

    # A damaged archive: bytes flipped inside the customers' rows, found while loading them.
    damaged = tmp_path / "damaged.zip"
    content = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo("data/customers.copy")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(info.compress_size // 3, info.compress_size // 3 + 8):
        content[start + offset] ^= 0xFF
    damaged.write_bytes(bytes(content))
    with app.app_context(), pytest.raises(BackupError, match="rows of table customers"):  # zlib, CRC or COPY
        restore_tenant(str(damaged), slug)
    assert leftovers(app, slug) == NOTHING

    # A damaged file (its bytes no longer match the manifest's SHA-256), found after every row is in.
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            target.writestr(item, body[:-1] + b"!" if item.filename.startswith("files/") else body)
    with app.app_context(), pytest.raises(BackupError, match="damaged"):
        restore_tenant(str(tampered), slug)
    assert leftovers(app, slug) == NOTHING

    # Half an archive is not one; neither is another kind of file.
    (tmp_path / "half.zip").write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with app.app_context(), pytest.raises(BackupError, match="not a company backup"):
        restore_tenant(str(tmp_path / "half.zip"), slug)
    assert leftovers(app, slug) == NOTHING
    assert fingerprint(app, tenant.schema_name) == before


def rewritten(source, target, change):
    """A copy of the archive ``source`` whose manifest went through ``change(manifest)``."""
    import json

    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            body = old.read(item.filename)
            if item.filename == "manifest.json":
                manifest = json.loads(body)
                change(manifest)
                body = json.dumps(manifest).encode()
            new.writestr(item, body)
    return str(target)


def test_what_an_archive_names_is_checked_before_anything_is_made(app, tenant, factory, tmp_path):
    from crm_saas.tenants.backup import BackupError, backup_tenant
    from crm_saas.tenants.restore import restore_tenant

    factory.customer(tenant, factory.admin_id(tenant))
    archive = tmp_path / "company.zip"
    with app.app_context():
        backup_tenant(tenant.slug, str(archive))
    slug = new_slug("bad")

    def escape(manifest):
        manifest["files"] = [{"path": "../../../etc/evil", "size": 1, "sha256": "0" * 64}]

    def inject(manifest):
        manifest["tables"][0]["name"] = 'users" CASCADE; --'

    def future(manifest):
        manifest["revision"] = "9999_future"

    for change, message in ((escape, "manifest is damaged"), (inject, "manifest is damaged"),
                            (future, "does not know")):
        with app.app_context(), pytest.raises(BackupError, match=message):
            restore_tenant(rewritten(archive, tmp_path / f"{change.__name__}.zip", change), slug)
        assert leftovers(app, slug) == NOTHING

    def drop_table(manifest):
        manifest["tables"] = [t for t in manifest["tables"] if t["name"] != "contacts"]

    with app.app_context(), pytest.raises(BackupError, match=r"not in the backup: \['contacts'\]"):
        restore_tenant(rewritten(archive, tmp_path / "fewer.zip", drop_table), slug)
    assert leftovers(app, slug) == NOTHING


@pytest.mark.parametrize("revision", ["0004_pipeline", "0002_staff"])
def test_a_backup_from_an_older_revision_restores_at_head(app, tenant, factory, client_for, tmp_path, revision):
    """The rows go in at the backup's revision, and today's migrations bring them to head, as any company's."""
    from crm_saas.extensions import db
    from crm_saas.tenants.backup import backup_tenant
    from crm_saas.tenants.migrate import downgrade_tenant, head, upgrade_schema
    from crm_saas.tenants.restore import restore_tenant

    admin = factory.admin_id(tenant)
    rep = factory.user(tenant, "rep", superior_id=admin)
    customer = factory.customer(tenant, rep, name="Ｓｈａｎｇｈａｉ 远航（集团）")
    factory.deal(tenant, customer, rep)
    assert login(client_for(tenant), "rep", "Staff#2026").status_code == 302

    def walk(to):
        with app.app_context(), db.engine.begin() as conn:
            if to == "head":
                version = upgrade_schema(conn, tenant.schema_name)
            else:
                downgrade_tenant(conn, tenant.schema_name, to)
                version = to
            conn.execute(text("UPDATE public.tenants SET schema_version = :v WHERE id = :id"),
                         {"v": version, "id": tenant.id})

    walk(revision)  # the company as an older release left it
    archive = str(tmp_path / "old.zip")
    with app.app_context():
        assert backup_tenant(tenant.slug, archive).revision == revision
    walk("head")  # the original goes through today's migrations too, for the comparison

    copy = new_slug("old")
    with app.app_context():
        restored = restore_tenant(archive, copy)
        version = db.session.scalar(text("SELECT schema_version FROM public.tenants WHERE slug = :s"), {"s": copy})
        db.session.remove()
    assert restored.revision == revision and version == head("tenant")
    assert fingerprint(app, restored.schema) == fingerprint(app, tenant.schema_name)
    browser = client_for(restored_info(copy))
    assert login(browser, "rep", "Staff#2026").status_code == 302
    assert "远航" in browser.get(f"/customers/{customer}").get_data(as_text=True)


def cli(args, app, servers):
    env = dict(os.environ, DATABASE_URL=servers[0], REDIS_URL=servers[1], SECRET_KEY=app.config["SECRET_KEY"],
               CRM_FILES_DIR=files_root(app))
    return subprocess.run([sys.executable, "-m", "crm_saas.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_the_commands(app, servers, tenant, factory, api_for, client_for, tmp_path):
    data = fill(tenant, factory, api_for, client_for)
    before = fingerprint(app, tenant.schema_name)
    archive = str(tmp_path / "company.zip")

    made = cli(["tenants", "backup", tenant.slug, archive], app, servers)
    assert made.returncode == 0, made.stdout + made.stderr
    assert f"backed up {tenant.slug}" in made.stdout and "2 files" in made.stdout and archive in made.stdout

    refused = cli(["tenants", "restore", archive], app, servers)
    assert refused.returncode != 0
    assert f"a company already has the subdomain '{tenant.slug}'" in refused.stderr and "--as" in refused.stderr

    copy = new_slug("cli")
    restored = cli(["tenants", "restore", archive, "--as", copy], app, servers)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert f"restored {tenant.slug} as {copy}" in restored.stdout and f"http://{copy}.localhost/login" in restored.stdout
    assert fingerprint(app, restored_info(copy).schema_name) == before
    assert files_of(app, restored_info(copy).schema_name) == files_of(app, tenant.schema_name)
    api = ApiClient(client_for(restored_info(copy)))
    api.token = get_token(api.client, "admin", ADMIN_PASSWORD)
    assert api.get(f"/customers/{data['customer']['id']}").get_json()["name"] == data["customer"]["name"]

    bad_slug = cli(["tenants", "restore", archive, "--as", "www"], app, servers)
    assert bad_slug.returncode != 0 and "'www' is reserved" in bad_slug.stderr
    missing = cli(["tenants", "backup", "no-such-company", str(tmp_path / "none.zip")], app, servers)
    assert missing.returncode != 0 and "no company has the subdomain 'no-such-company'" in missing.stderr
    assert sorted(os.listdir(tmp_path)) == ["company.zip"]  # no half-written archive either
    assert fingerprint(app, tenant.schema_name) == before
