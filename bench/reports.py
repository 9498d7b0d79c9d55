"""The dashboard and the report centre (issue 16) as the admin and as a depth-2 supervisor, on the tree tenant.

The tree tenant of ``supervisor.py`` (2,000 staff, depth 8, 100k customers) with the board's 20,000 deals
(``seed.seed_tree_deals``) gets a history to report on (``seed.seed_report_history``): customers spread over
two years, 100,000 stage changes walking the deals through the stages over 18 months, 200,000 follow-ups
over the past year by the customers' owners (20,000 tasks from them), the type history of 20,000 customers
in the change log, and a few targets.

For the dashboard (``GET /dashboard``, ``GET /api/v1/dashboard``) and every report of
``registry.all_reports()`` (``GET /reports/<key>``), as each viewer, for the default period (this month) and
for the past year (a custom range of 365 days):

- page: the median of the request through the Flask test client (session, templates and all);
- floor: the statements the service itself sends (``build_dashboard(scope)`` / ``report.build(scope)`` run
  once as the viewer, captured with ``sql_meter``), re-executed as captured on a raw psycopg connection:
  what the figures cost the database, the tree walk included;
- ``[app SQL n stmts]``: the page's statements and their time; ``service n`` the captured ones (all of them
  must also be among the page's); ``year n`` the page's count over the year: the same number, or the page
  runs statements per row.

Then the exports (``report_exports.py``): a report and the dashboard written to xlsx and to PDF by the export
job's writers, beside xlsxwriter alone writing the same table and chart and WeasyPrint alone rendering the same
HTML.
"""
from datetime import timedelta

from flask import g

from bench import report_exports, seed, supervisor
from bench.timing import compare, median_ms, once_ms, sql_meter
from crm_saas.tenants.binding import check_schema_name

API = "/api/v1"
MIN_REPORTS = 8


def seed_history(app, db, raw, schema, log):
    """The reports' history (``seed.seed_report_history``), then VACUUM of what it rewrote.

    The seed rewrites every customer and deal: left to autovacuum, the 100,000 dead customer rows get
    vacuumed somewhere in the middle of the timings (a page measured 10 ms of SQL alone and 30 ms in the
    run). A vacuumed table is also what a company's database is between its working hours.
    """
    log("seeding the reports' history: 100k stage changes, 200k follow-ups, type changes, targets")
    with app.app_context():
        def fill():
            with db.engine.begin() as conn:
                return seed.seed_report_history(conn, schema, log=lambda step, ms: log(f"  {step}: {ms:,.0f} ms"))

        ms, counts = once_ms(fill)
        db.session.remove()
    s = check_schema_name(schema)
    vacuum_ms, _ = once_ms(lambda: [raw.execute(f'VACUUM (ANALYZE) "{s}".{table}') for table in seed.REPORT_TABLES])
    log(f"seeded and analyzed in {ms / 1000:.1f} s, vacuumed in {vacuum_ms / 1000:.1f} s: "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return counts


def _services():
    """``(all_reports(), build_dashboard)``, or None while the feature is not there yet."""
    from crm_saas.blueprints.reports.services import dashboard, registry

    reports = registry.all_reports()
    build = getattr(dashboard, "build_dashboard", None)
    if len(reports) < MIN_REPORTS or build is None:
        return None
    return reports, build


def run(app, db, raw, schema, session_for, password, runs, log, explain=False):
    """Result rows: each page as the admin and the supervisor, this month and the past year; then exports."""
    counts = seed_history(app, db, raw, schema, log)
    ready = _services()
    if ready is None:
        return [("reports: seeded only (the dashboard or the reports are not built yet)", "", "", "",
                 "[" + ", ".join(f"{k} {v:,}" for k, v in counts.items()) + "]")]
    reports, build_dashboard = ready
    with app.app_context():
        engine = db.engine
    s = check_schema_name(schema)
    shape, supervisor_id, _, _ = supervisor.pick_viewers(raw, schema)
    admin_id = raw.execute(f"SELECT id FROM \"{s}\".users WHERE username = 'admin'").fetchone()[0]
    rows = []
    for viewer, who in ((admin_id, "admin"), (supervisor_id, "supervisor")):
        username, depth, subtree = shape[viewer]
        client, base_url = session_for(supervisor.TREE_SLUG, username, password)
        token = _token(client, base_url, username, password)
        label = who if who == "admin" else f"supervisor depth {depth} ({subtree} people)"
        log(f"dashboard and {len(reports)} reports as {label}")
        pages = [("dashboard", "/dashboard", {}, build_dashboard),
                 ("  same, API", f"{API}/dashboard", {"Authorization": f"Bearer {token}"}, build_dashboard)]
        pages += [(f"report {key}", f"/reports/{key}", {}, report.build) for key, report in reports.items()]
        for title, path, headers, build in pages:
            for period, args in _periods(app):
                page = _fetch(client, base_url, path, args, headers)
                status = client.get(path, base_url=base_url, query_string=args, headers=headers).status_code
                if status != 200:  # the feature is being built: say so, measure the rest
                    rows.append((f"{title}, {label}, {period}", f"answers {status}", "", "", ""))
                    continue
                statements = capture(app, db, engine, schema, viewer, build, args)
                year_count = _statements(engine, _fetch(client, base_url, path, _periods(app)[1][1], headers))
                found = _found(engine, page, statements)
                reference = (f"service {len(statements)}{'' if found == len(statements) else f' ({found} in page)'}"
                             f"; year {year_count}")
                if not statements:  # nothing to count yet (the service report's "no data yet")
                    rows.append(_no_sql_row(engine, f"{title}, {label}, {period}", page, runs, reference))
                    continue
                rows.append(compare(engine, f"{title}, {label}, {period}", page, replay(raw, statements), runs,
                                    reference))
                if explain:
                    print_explain(raw, f"{title} as {who}, {period}", statements)
    rows += report_exports.export_rows(app, db, schema, {"admin": admin_id, "supervisor": supervisor_id},
                                       _periods(app), max(3, runs // 4), log)
    return rows


def _no_sql_row(engine, label, page, runs, reference):
    page_ms = median_ms(page, runs=runs)
    return (label, f"page {page_ms:7.1f} ms", "floor      -", "ratio     -",
            f"[app SQL {_statements(engine, page)} stmts; {reference}: the service sends no SQL]")


def _token(client, base_url, username, password):
    response = client.post(f"{API}/auth/token", base_url=base_url, json={"username": username, "password": password})
    assert response.status_code == 200, f"token for {username}: {response.status_code}"
    return response.get_json()["token"]


def _periods(app):
    """``[(label, query args)]``: the default period (this month) and the past year as a custom range."""
    from crm_saas.blueprints.reports.services.scope import company_today

    with app.app_context():
        today = company_today()
    return [("month", {}), ("year", {"range": "custom", "from": (today - timedelta(days=364)).isoformat(),
                                     "to": today.isoformat()})]


def _fetch(client, base_url, path, args, headers):
    def fetch():
        resp = client.get(path, base_url=base_url, query_string=args, headers=headers)
        assert resp.status_code == 200, f"GET {path} {args}: {resp.status_code}"
        return resp

    return fetch


def capture(app, db, engine, schema, viewer_id, build, args):
    """``[(sql, params)]``: the statements ``build(scope)`` sends as ``viewer_id``, in a request of their own."""
    from crm_saas.blueprints.reports.services.scope import read_scope
    from crm_saas.core.users import User
    from crm_saas.tenants.binding import tenant_context

    base_url = f"http://{supervisor.TREE_SLUG}.{app.config['CRM_BASE_DOMAIN']}"
    with app.test_request_context("/", base_url=base_url, query_string=args), tenant_context(schema):
        user = db.session.get(User, viewer_id)
        g._login_user = user
        scope = read_scope(user, args)
        with sql_meter(engine) as stats:
            build(scope)
        db.session.rollback()
    return [(sql, params) for _, sql, params in stats["log"]]


def replay(raw, statements):
    """The floor: the captured statements, run as captured, every row fetched; never prepared (as the app)."""

    def run():
        for sql, params in statements:
            cursor = raw.execute(sql, params if params is not None else {}, prepare=False)
            if cursor.description is not None:
                cursor.fetchall()

    return run


def _statements(engine, page):
    with sql_meter(engine) as stats:
        page()
    return stats["statements"]


def _found(engine, page, statements):
    """How many of the service's statements the page sends too (same SQL text)."""
    with sql_meter(engine) as stats:
        page()
    sent = {sql for _, sql, _ in stats["log"]}
    return sum(1 for sql, _ in statements if sql in sent)


def print_explain(raw, title, statements, top=3):
    """The service's statements by time on the raw connection, and the plans of the slowest ``top``."""
    timed = []
    for sql, params in statements:
        ms = median_ms(lambda sql=sql, params=params: raw.execute(sql, params or {}, prepare=False).fetchall(),
                       runs=3, warmup=1)
        timed.append((ms, sql, params))
    print(f"\n== {title}: {len(statements)} service statements, {sum(t[0] for t in timed):.1f} ms ==")
    for ms, sql, _ in timed:
        print(f"  {ms:6.2f} ms  {' '.join(sql.split())[:160]}")
    for ms, sql, params in sorted(timed, key=lambda t: t[0], reverse=True)[:top]:
        print(f"\n== EXPLAIN {title}: statement that took {ms:.1f} ms ==")
        print(sql)
        print("\n".join(row[0] for row in raw.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params or {},
                                                      prepare=False)))
