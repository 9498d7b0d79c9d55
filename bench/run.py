"""crm_saas benchmarks: each page's time beside the raw-SQL floor measured in the same run.

    .venv/bin/python bench/run.py [--runs 20] [--tenants 200] [--explain]

A fresh database ``crm_bench_<random>`` is created on DATABASE_URL's server
(or an embedded one under bench/out/) and dropped at the end.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import floors, seed  # noqa: E402
from bench.servers import bench_database  # noqa: E402
from bench.timing import median_ms, once_ms, sql_meter  # noqa: E402

ADMIN_PASSWORD = "Admin#2026"
SECRET_KEY = "bench-secret"
BIG_SLUG = "bench"


def log(message):
    print(f"  .. {message}", file=sys.stderr, flush=True)


def bench_config(database_url, redis_url):
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": SECRET_KEY,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "WTF_CSRF_ENABLED": False,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per measurement (median)")
    parser.add_argument("--tenants", type=int, default=200, help="tenants to provision")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the floor queries")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    with bench_database() as (database_url, redis_url, instance):
        rows = run_all(args, database_url, redis_url, instance)
    print_table(rows, time.perf_counter() - started)


def run_all(args, database_url, redis_url, instance):
    from crm_saas import create_app
    from crm_saas.blueprints.auth.passwords import hash_password
    from crm_saas.extensions import db
    from crm_saas.tenants.migrate import upgrade_all
    from crm_saas.tenants.provisioning import provision_tenant, schema_for

    app = create_app(bench_config(database_url, redis_url))
    app.instance_path = instance
    rows = []
    with app.app_context():
        upgrade_all()
        password_hash = hash_password(ADMIN_PASSWORD)
        provision_tenant(BIG_SLUG, "Bench Big Co", {"username": "admin", "password_hash": password_hash,
                                                    "name": "Admin"})
        schema = schema_for(BIG_SLUG)
        log(f"seeding {seed.CUSTOMERS:,} customers + contacts and {seed.DEALS:,} deals into {schema}")
        ms, _ = once_ms(lambda: _seed(db, schema, password_hash))
        log(f"seeded and analyzed in {ms / 1000:.1f} s")
        db.session.remove()

    client = app.test_client()
    base_url = f"http://{BIG_SLUG}.{app.config['CRM_BASE_DOMAIN']}"
    response = client.post("/login", data={"username": "admin", "password": ADMIN_PASSWORD}, base_url=base_url)
    assert response.status_code == 302, f"login failed: {response.status_code}"

    def get(path):
        def fetch():
            resp = client.get(path, base_url=base_url)
            assert resp.status_code == 200, f"GET {path}: {resp.status_code}"
            return resp
        return fetch

    with floors.connect(database_url) as raw:
        pipeline_id = raw.execute(f'SELECT id FROM "{schema}".pipelines WHERE is_default').fetchone()[0]

        # 1. Board
        log("board page vs floor")
        page = get("/board")
        cards = page().get_data(as_text=True).count('class="deal-card"')
        assert cards == 6 * 50, f"board shows {cards} cards, expected 300"
        floor = floors.board_floor(raw, schema, pipeline_id)
        assert len(floor()) == 300
        rows.append(_compare(app, db, f"board page ({seed.DEALS // 1000}k deals, admin)", page, floor, args.runs,
                             "3.4 ms SQL"))

        # 2. Customer search
        for label, q, reference in (
            (f"customer search q={seed.COMMON_TERM} (common)", seed.COMMON_TERM, "0.1 ms SQL typical"),
            (f"customer search q={seed.RARE_TERM} (1 row, last)", seed.RARE_TERM, "67 ms trap / 4.5 ms fixed"),
        ):
            log(f"customer search q={q} vs floor")
            page = get(f"/customers/?q={q}")
            assert q in page().get_data(as_text=True)
            floor = floors.search_floor(raw, schema, q)
            total, _ = floor()
            rows.append(_compare(app, db, f"{label}, {total:,} hits", page, floor, args.runs, reference))

        if args.explain:
            _explain(raw, schema, pipeline_id)

    # 3. Provisioning
    log(f"provisioning {args.tenants} tenants")
    with app.app_context():
        start = time.perf_counter()
        for i in range(args.tenants):
            provision_tenant(f"p{i:04d}", f"Company {i}", {"username": "admin", "password_hash": password_hash,
                                                           "name": "Admin"})
        per_tenant = (time.perf_counter() - start) * 1000 / args.tenants
        db.session.remove()
    rows.append((f"provision a tenant (x{args.tenants})", f"{per_tenant:8.1f} ms/tenant", "DESIGN floor 25 ms",
                 f"ratio {per_tenant / 25:5.2f}", "budget 50 ms: " + ("ok" if per_tenant <= 50 else "OVER")))

    # 4. Migrations with nothing to do
    tenants_total = args.tenants + 1
    log(f"db upgrade over {tenants_total} tenants at head")
    with app.app_context():
        runs = max(3, args.runs // 4)
        report = upgrade_all()
        assert not report.upgraded and not report.failed and report.skipped == tenants_total, report
        upgrade_ms = median_ms(upgrade_all, runs=runs, warmup=0)
    rows.append((f"upgrade_all(), {tenants_total} tenants at head", f"{upgrade_ms:8.1f} ms", "in-process",
                 f"median of {runs}", ""))
    cli_ms = median_ms(lambda: _cli_upgrade(database_url, redis_url, tenants_total), runs=3, warmup=0)
    rows.append(("`crm-saas db upgrade`, nothing to do", f"{cli_ms:8.1f} ms", "subprocess wall",
                 "median of 3", f"({cli_ms - upgrade_ms:.0f} ms start-up)"))
    with app.app_context():
        db.engine.dispose()
    return rows


def _seed(db, schema, password_hash):
    with db.engine.begin() as conn:
        return seed.seed_big_tenant(conn, schema, password_hash)


def _compare(app, db, label, page, floor, runs, reference):
    page_ms = median_ms(page, runs=runs)
    floor_ms = median_ms(floor, runs=runs)
    with app.app_context():
        engine = db.engine
    metered = []
    for _ in range(5):
        with sql_meter(engine) as stats:
            page()
        metered.append(stats)
    sql_ms = statistics.median(s["ms"] for s in metered)
    sql = f"{metered[-1]['statements']} stmts {sql_ms:.1f} ms"
    return (label, f"page {page_ms:7.1f} ms", f"floor {floor_ms:6.1f} ms", f"ratio {page_ms / floor_ms:5.2f}",
            f"[app SQL {sql}; DESIGN {reference}]")


def _cli_upgrade(database_url, redis_url, tenants_total):
    env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=redis_url, SECRET_KEY=SECRET_KEY)
    exe = Path(sys.executable).with_name("crm-saas")
    done = subprocess.run([str(exe), "db", "upgrade"], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0 or f"{tenants_total} already at head" not in done.stdout:
        raise RuntimeError(f"crm-saas db upgrade failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def _explain(raw, schema, pipeline_id):
    s = schema
    print("\n== EXPLAIN board floor ==")
    print(floors.explain(raw, floors.BOARD_SQL.format(s=s), {"pipeline_id": pipeline_id, "limit": 50}))
    for q in (seed.COMMON_TERM, seed.RARE_TERM):
        params = {"q": q, "pattern": f"%{q}%", "limit": 50}
        print(f"\n== EXPLAIN search count q={q} ==")
        print(floors.explain(raw, floors.SEARCH_COUNT_SQL.format(s=s), params))
        print(f"\n== EXPLAIN search page q={q} ==")
        print(floors.explain(raw, floors.SEARCH_PAGE_SQL.format(s=s), params))


def print_table(rows, elapsed):
    widths = [max(len(str(row[i])) for row in rows) for i in range(5)]
    print()
    print("crm_saas bench: medians; page = Flask test client, in-process; floor = raw SQL, same data, same run")
    for row in rows:
        print("  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    print(f"(whole run {elapsed:.0f} s)")


if __name__ == "__main__":
    main()
