"""Import (issue 15, I1): 100,000 customers with a main contact from an uploaded xlsx, end to end, beside the floor.

The file is made once per run (xlsxwriter, constant memory): 100,000 rows
under the template's English headers, customer ID, name, industry and
source codes, province and city, contact name, mobile, email and two tags;
every row valid and no two alike. Each measurement runs in a fresh Python
process of its own, in a fresh company, so its peak RSS
(``resource.getrusage``) is the import's and not the bench's:

- the dry run alone (``create_import`` + ``validate_import``, as the upload
  and check pages run them) beside the validation floor: the same rows
  read with python-calamine and judged by ``validate_customer``, nothing else;
- the commit job (``workers.imports.run_commit``, as a worker runs it: read,
  judge again, check duplicates, write) beside the import floor: the
  validation floor plus the customers and their contacts written with
  PostgreSQL COPY in one transaction, numbers and keys computed in Python.

Targets: the commit within 3x its floor, its process under 250 MiB.
"""
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", 100_000))  # fewer for a quick try of the bench itself
RSS_TARGET_MIB = 250
RATIO_TARGET = 3.0
HEADERS = ["Customer ID", "Customer name*", "Industry*", "Source*", "Province", "City", "Contact name*",
           "Contact phone*", "Contact email", "Tags"]
INDUSTRIES = ("manufacturing", "it", "retail", "finance", "services")
SOURCES = ("online_inquiry", "exhibition", "referral", "outbound", "campaign")
PLACES = (("上海市", "上海市"), ("广东省", "深圳市"), ("浙江省", "杭州市"), ("江苏省", "苏州市"), ("北京市", "北京市"))


def write_file(path, rows=ROWS):
    from crm_saas.core import spreadsheets

    book = spreadsheets.workbook(str(path))
    sheet = book.add_worksheet("Customers")
    sheet.write_row(0, 0, HEADERS)
    for i in range(1, rows + 1):
        province, city = PLACES[i % len(PLACES)]
        sheet.write_row(i, 0, (f"EXT{i:07d}", f"导入测试客户{i:06d}有限公司", INDUSTRIES[i % 5], SOURCES[i % 5],
                               province, city, f"联系人{i}", f"139{i:08d}", f"c{i}@example.com", "导入,bench"))
    book.close()


def _child_env(database_url, redis_url, secret_key):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("CRM_")}
    environment.update(DATABASE_URL=database_url, REDIS_URL=redis_url, SECRET_KEY=secret_key,
                       CRM_LOG_LEVEL="WARNING")
    return environment


def _child(mode, slug, path, database_url, redis_url, secret_key, instance):
    done = subprocess.run([sys.executable, "-m", "bench.imports", mode, slug, str(path), instance],
                          env=_child_env(database_url, redis_url, secret_key), cwd=ROOT, capture_output=True,
                          text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"bench.imports {mode} failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(app, db, password_hash, database_url, redis_url, secret_key, instance, runs, log):
    from crm_saas.tenants.provisioning import provision_tenant

    path = Path(instance) / "bench-import-100k.xlsx"
    log(f"writing {ROWS:,} customer rows to {path.name}")
    write_file(path)
    results = {"dry": [], "check": [], "commit": [], "floor": []}
    for attempt in range(runs):
        slugs = {kind: f"imp{kind[0]}{attempt}" for kind in ("import", "floor")}
        with app.app_context():
            for slug in slugs.values():
                provision_tenant(slug, f"Import bench {slug}", {"username": "admin", "password_hash": password_hash,
                                                                 "name": "Admin"})
            db.session.remove()
        log(f"run {attempt + 1}/{runs}: dry run")
        results["dry"].append(_child("dry", slugs["import"], path, database_url, redis_url, secret_key, instance))
        log(f"run {attempt + 1}/{runs}: validation floor")
        results["check"].append(_child("check", slugs["floor"], path, database_url, redis_url, secret_key, instance))
        log(f"run {attempt + 1}/{runs}: commit job")
        results["commit"].append(_child("commit", slugs["import"], path, database_url, redis_url, secret_key,
                                        instance))
        log(f"run {attempt + 1}/{runs}: COPY floor")
        results["floor"].append(_child("floor", slugs["floor"], path, database_url, redis_url, secret_key, instance))
    path.unlink(missing_ok=True)
    return _rows(results)


def _median(samples, key):
    return statistics.median(sample[key] for sample in samples)


def _rows(results):
    dry, check = _median(results["dry"], "seconds"), _median(results["check"], "seconds")
    commit, floor = _median(results["commit"], "seconds"), _median(results["floor"], "seconds")
    rss = max(sample["rss_mib"] for sample in results["commit"])
    dry_rss = max(sample["rss_mib"] for sample in results["dry"])
    created = results["commit"][-1]["totals"]["created"]
    assert created == ROWS, results["commit"][-1]
    return [
        (f"import {ROWS // 1000}k customers + contact, xlsx -> committed (job)", f"{commit:8.1f} s",
         f"floor validate+COPY {floor:.1f} s", f"ratio {commit / floor:5.2f}",
         f"target <= {RATIO_TARGET:.0f}x: " + ("ok" if commit / floor <= RATIO_TARGET else "OVER")),
        (f"import {ROWS // 1000}k, peak RSS of the job's process", f"{rss:8.0f} MiB", "", "",
         f"target <= {RSS_TARGET_MIB} MiB: " + ("ok" if rss <= RSS_TARGET_MIB else "OVER")),
        (f"dry run {ROWS // 1000}k (upload + check, nothing saved)", f"{dry:8.1f} s",
         f"floor read+validate {check:.1f} s", f"ratio {dry / check:5.2f}", f"peak RSS {dry_rss:.0f} MiB"),
    ]


# --- what each child process does -------------------------------------------------------------------------

def _app(instance):
    from crm_saas import create_app

    app = create_app({"DATABASE_URL": os.environ["DATABASE_URL"], "REDIS_URL": os.environ["REDIS_URL"],
                      "SECRET_KEY": os.environ["SECRET_KEY"], "CRM_LOG_LEVEL": "WARNING",
                      "WTF_CSRF_ENABLED": False})
    app.instance_path = instance
    return app


def _admin():
    from sqlalchemy import select

    from crm_saas.core.users import User
    from crm_saas.extensions import db

    return db.session.scalar(select(User).where(User.username == "admin"))


def _dry(app, schema, path):
    from werkzeug.datastructures import FileStorage

    from crm_saas.blueprints.imports.services import create_import, validate_import
    from crm_saas.tenants.binding import tenant_context

    with app.test_request_context(), tenant_context(schema):
        admin = _admin()
        with open(path, "rb") as handle:
            imp = create_import(FileStorage(handle, filename="customers.xlsx"), "customers", actor=admin)
        validate_import(imp, actor=admin)
        return {"totals": imp.totals}


def _commit(app, schema, path):
    from sqlalchemy import select

    import crm_saas.workers.context
    from crm_saas.blueprints.imports.models import Import
    from crm_saas.extensions import db
    from crm_saas.tenants.binding import tenant_context
    from crm_saas.workers.imports import run_commit

    with app.app_context(), tenant_context(schema):
        imp = db.session.scalar(select(Import).order_by(Import.id.desc()))
        imp.job, imp.status, imp.job_id = "commit", "queued", "bench"
        db.session.commit()
        import_id = imp.id
        db.session.remove()
    crm_saas.workers.context.set_app(app)
    return {"totals": run_commit(schema, import_id)}


def _floor_rows(path):
    """The file's rows as ``validate_customer`` takes them: the floor knows the columns, nothing to map."""
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(path)) as book:
        rows = book.get_sheet_by_name("Customers").iter_rows()
        next(rows)
        for ref, name, industry, source, province, city, contact, phone, email, tags in rows:
            yield ref, {"name": name, "industry": industry, "source": source, "province": province, "city": city,
                        "tags": tags.split(","),
                        "contacts": [{"name": contact, "phone": phone, "email": email, "primary": True}],
                        "custom": {}}


def _check(app, schema, path, write=False):
    """Read and validate every row (and with ``write``, COPY them in): the floors."""
    from datetime import datetime, timezone

    import psycopg
    from psycopg.types.json import Jsonb

    from crm_saas.blueprints.customers.services.keys import name_key, phone_key
    from crm_saas.blueprints.customers.services.validation import validate_customer
    from crm_saas.tenants.binding import tenant_context

    with app.test_request_context(), tenant_context(schema):
        admin_id = _admin().id
        valid = [(ref, data) for ref, data in _floor_rows(path) if not validate_customer(data)]
    if not write:
        return {"totals": {"valid": len(valid)}}
    now = datetime.now(timezone.utc)
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        ids = conn.execute(f"SELECT nextval(pg_get_serial_sequence('\"{schema}\".customers', 'id')) "
                           "FROM generate_series(1, %s)", (len(valid),)).fetchall()
        with conn.cursor().copy(
                f'COPY "{schema}".customers (id, number, name, name_key, industry, type, source, status, province, '
                'city, tags, owner_id, created_by_id, custom, created_at, updated_at, external_ref, owned_at, '
                'protection_extensions) FROM STDIN') as copy:
            for (customer_id,), (ref, data) in zip(ids, valid, strict=True):
                copy.write_row((customer_id, f"F{customer_id:010d}", data["name"], name_key(data["name"]),
                                data["industry"], "potential", data["source"], "active", data["province"],
                                data["city"], data["tags"], admin_id, admin_id, Jsonb({}), now, now, ref, now, 0))
        with conn.cursor().copy(f'COPY "{schema}".contacts (customer_id, name, phone, phone_key, email, is_primary) '
                                'FROM STDIN') as copy:
            for (customer_id,), (_ref, data) in zip(ids, valid, strict=True):
                contact = data["contacts"][0]
                copy.write_row((customer_id, contact["name"], contact["phone"], phone_key(contact["phone"]),
                                contact["email"], True))
        conn.commit()
    return {"totals": {"valid": len(valid)}}


def child(mode, slug, path, instance):
    """One measurement in this process: its wall time and the process's peak RSS, as one JSON line."""
    from crm_saas.tenants.provisioning import schema_for

    app = _app(instance)
    schema = schema_for(slug)
    work = {"dry": _dry, "commit": _commit, "check": _check,
            "floor": lambda app, schema, path: _check(app, schema, path, write=True)}[mode]
    started = time.perf_counter()
    result = work(app, schema, path)
    result["seconds"] = time.perf_counter() - started
    result["rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    child(*sys.argv[1:5])
