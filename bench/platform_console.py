"""The platform side (issue 14): the console's company list, and what a company request pays for the platform.

Seeded with set-based SQL into the public schema only (no company schema is
needed for a list of rows): 20 agencies ``GD01``-``GD20``, each with 20 staff
in a tree (1 admin, 4 supervisors under them, 15 reps dealt over the
supervisors; codes prefix + 01-20), and 10,000 ``public.tenants`` rows dealt
round-robin over the 300 reps, spread over the statuses (45 % trial, 40 %
active, 5 % each pending, expired, suspended), end dates within 120 days of
now as the hourly expiry job leaves them (open companies end in the future,
but one in 50 passed its end in the last hour), the hourly job's counts
filled, one in 97 in its rep's recycle bin, and ``tenant_presence`` rows
(1-3 people) for one company in ten.

Measured through the app (Flask test client, in-process):

- ``GET /console/companies?status=trial&sort=ends_at`` as an operator (signed
  in with password and TOTP code), vs. the floor: the count and the first 50
  rows (agency, rep, people online in the last ten minutes) in raw SQL;
- the same list as an agency supervisor, vs. the walk of their subtree over
  ``platform_users`` and the same count and page narrowed to the walked reps
  (a literal ``bigint[]``, as ``core.visibility.literal_ids`` writes it);
- what a company request pays for the platform: ``GET /me`` on a real,
  provisioned company, with the expiry check (``Tenant.effective_status`` in
  ``resolve_tenant``) and the presence hook (``presence.note_activity``, a
  request teardown), vs. the same app with the hook removed and
  ``effective_status`` reduced to the stored status; the two alternate
  request by request. The presence write (at most once per five minutes per
  person) is timed on its own: the memo and the Redis key are cleared before
  each such request, which is paired with the next (a memo hit).

The seeded rows have no schema, so they are deleted at the end (a later
``upgrade`` bench in the same run would try to migrate them).
"""
import functools
import re
import statistics
import time
import types
from contextlib import contextmanager
from datetime import timedelta

from bench import floors
from bench.team_board import anatomy, print_explain
from bench.timing import compare, sql_meter

AGENCIES = 20
STAFF_PER_AGENCY = 20  # 1 admin, 4 supervisors, 15 reps
SUPERVISORS = 4
COMPANIES = 10_000
PREFIX = "GD"
SLUG_PATTERN = "^pf[0-9]{5}$"  # the seeded companies; they have no schema
REAL_SLUG = "pfreal"
LIST_URL = "/console/companies?status=trial&sort=ends_at"
PER_PAGE = 50
ONLINE_MINUTES = 10  # services.companies.ONLINE_MINUTES
PAIRS_AT_LEAST = 200  # the company request's with/without pairs: the difference is well under a millisecond

SEED_AGENCIES = """
INSERT INTO public.agencies (prefix, name, contact, phone, status, bonus_trial_days, created_at)
SELECT %(prefix)s || lpad(a::text, 2, '0'), '代理商 ' || %(prefix)s || lpad(a::text, 2, '0'), '联系人 ' || a,
       '1390000' || lpad(a::text, 4, '0'), 'active', 0, now()
FROM generate_series(1, %(agencies)s) a
"""
SEED_STAFF = """
INSERT INTO public.platform_users (username, password_hash, name, phone, role, agency_id, code, active,
                                   decides_extensions, totp_confirmed, must_change_password, failed_logins,
                                   session_token, created_at)
SELECT lower(a.prefix) || '_' || lpad(n::text, 2, '0'), %(hash)s,
       CASE WHEN n = 1 THEN 'Admin ' WHEN n <= 1 + %(supervisors)s THEN 'Supervisor ' ELSE 'Rep ' END
           || a.prefix || lpad(n::text, 2, '0'),
       '139' || lpad((a.id * 100 + n)::text, 8, '0'),
       CASE WHEN n = 1 THEN 'admin' WHEN n <= 1 + %(supervisors)s THEN 'supervisor' ELSE 'rep' END,
       a.id, a.prefix || lpad(n::text, 2, '0'), true, false, false, false, 0, md5(a.id || ':' || n), now()
FROM public.agencies a CROSS JOIN generate_series(1, %(staff)s) n
WHERE a.prefix LIKE %(prefix)s || '%%'
"""
# Supervisors (02-05) under the admin (01); rep nn under supervisor 02 + (nn - 6) mod 4.
SEED_TREE = """
UPDATE public.platform_users u SET superior_id = s.id
FROM public.platform_users s
WHERE s.agency_id = u.agency_id AND u.code LIKE %(prefix)s || '%%' AND right(u.code, 2)::int > 1
  AND s.code = left(u.code, 4) || CASE WHEN right(u.code, 2)::int <= 1 + %(supervisors)s THEN '01'
                                       ELSE lpad((2 + (right(u.code, 2)::int - 2 - %(supervisors)s)
                                                  %% %(supervisors)s)::text, 2, '0') END
"""
# Rep k = i mod 300 holds company i; the status key (i + i / 300) mod 20 moves on for each round of reps,
# so every rep holds every status (i mod 20 alone would give each rep one status: 20 divides 300).
# End dates as the hourly job (lifecycle.expire_overdue) leaves them: open companies end in the next 120 days,
# but one in 50 passed its end within the last hour and is not marked yet (the list must count it as expired);
# expired ones ended in the last 120 days; suspended ones either way; pending ones have none yet.
SEED_COMPANIES = """
INSERT INTO public.tenants (slug, name, schema_name, status, expires_at, contact_name, contact_phone, rep_code,
                            created_at, last_activity_at, agency_id, rep_id, paid, approved_at, paid_at, category,
                            binned_at, user_count, customer_count, storage_bytes, counted_at)
SELECT 'pf' || lpad(i::text, 5, '0'), 'Platform Co ' || lpad(i::text, 5, '0'), 't_pf' || lpad(i::text, 5, '0'),
       st.status,
       CASE WHEN st.status IN ('trial', 'active') AND i %% 50 = 0 THEN now() - make_interval(mins => 1 + i %% 59)
            WHEN st.status IN ('trial', 'active') THEN now() + make_interval(days => abs(d.days), hours => 1 + i %% 23)
            WHEN st.status = 'expired' THEN now() - make_interval(days => abs(d.days), hours => i %% 24)
            WHEN st.status = 'suspended' THEN now() + make_interval(days => d.days, hours => i %% 24) END,
       '联系人 ' || i, '138' || lpad(i::text, 8, '0'), r.code,
       now() - make_interval(days => 1 + i %% 365),
       CASE WHEN i %% 3 = 0 THEN now() - make_interval(mins => i %% 20000) END,
       r.agency_id, r.id, st.status = 'active',
       CASE WHEN st.status <> 'pending' THEN now() - make_interval(days => i %% 365) END,
       CASE WHEN st.status = 'active' THEN now() - make_interval(days => i %% 200) END,
       CASE i %% 4 WHEN 0 THEN 'A' WHEN 1 THEN 'B' END,
       CASE WHEN i %% 97 = 0 THEN now() END,
       1 + i %% 30, (i * 37) %% 5000, ((i * 37) %% 5000)::bigint * 4096 + i * 1000::bigint,
       now() - interval '1 hour'
FROM generate_series(1, %(companies)s) i
CROSS JOIN LATERAL (SELECT CASE WHEN (i + i / %(reps)s) %% 20 < 9 THEN 'trial'
                                WHEN (i + i / %(reps)s) %% 20 < 17 THEN 'active'
                                WHEN (i + i / %(reps)s) %% 20 = 17 THEN 'pending'
                                WHEN (i + i / %(reps)s) %% 20 = 18 THEN 'expired'
                                ELSE 'suspended' END AS status) st
CROSS JOIN LATERAL (SELECT (i * 7919) %% 241 - 120 AS days) d
JOIN (SELECT id, code, agency_id, row_number() OVER (ORDER BY id) - 1 AS k
      FROM public.platform_users WHERE role = 'rep' AND code LIKE %(prefix)s || '%%') r ON r.k = i %% %(reps)s
"""
SEED_PRESENCE = """
INSERT INTO public.tenant_presence (tenant_id, user_id, name, seen_at)
SELECT t.id, p, 'User ' || p, now() - make_interval(mins => ((t.id + p * 7) %% 30)::int)
FROM public.tenants t CROSS JOIN LATERAL generate_series(1, 1 + (t.id %% 3)::int) p
WHERE t.slug ~ %(slugs)s AND t.id %% 10 = 0
"""

# What the list filters and sorts by (services.companies.status_clause and SORTS["ends_at"]): a trial company
# past its end date counts as expired already.
TRIAL_WHERE = "t.status = 'trial' AND (t.expires_at IS NULL OR t.expires_at > now())"
COUNT_SQL = "SELECT count(*) FROM public.tenants t WHERE {where}"
# The first page, then what each row shows beside the company's own columns: agency, rep, people online.
PAGE_SQL = """
SELECT t.id, t.name, t.slug, t.status, t.expires_at, t.paid, t.user_count, t.customer_count, t.storage_bytes,
       t.last_activity_at, t.created_at, t.category, a.prefix, a.name, u.name, u.code, coalesce(o.n, 0)
FROM (SELECT * FROM public.tenants t WHERE {where}
      ORDER BY t.expires_at ASC NULLS LAST, t.id LIMIT {limit}) t
LEFT JOIN public.agencies a ON a.id = t.agency_id
LEFT JOIN public.platform_users u ON u.id = t.rep_id
LEFT JOIN LATERAL (SELECT count(*) AS n FROM public.tenant_presence p
                   WHERE p.tenant_id = t.id AND p.seen_at > now() - interval '{online} minutes') o ON true
ORDER BY t.expires_at ASC NULLS LAST, t.id
"""
WALK_SQL = """
WITH RECURSIVE subtree(id) AS (
    SELECT id FROM public.platform_users WHERE id = %(viewer)s
    UNION
    SELECT u.id FROM public.platform_users u JOIN subtree s ON u.superior_id = s.id
)
SELECT id FROM subtree
"""


def list_sql(ids=None, agency_id=None, limit=PER_PAGE):
    """``(count_sql, page_sql)`` of the trial list by end date: all companies, or those of the walked ``ids``
    (agency staff: their agency, their subtree's reps, out of the rep's recycle bin)."""
    where = TRIAL_WHERE
    if ids is not None:
        where += (f" AND t.agency_id = {int(agency_id)} AND t.binned_at IS NULL"
                  f" AND t.rep_id = ANY('{{{','.join(str(int(i)) for i in ids)}}}'::bigint[])")
    return COUNT_SQL.format(where=where), PAGE_SQL.format(where=where, limit=int(limit), online=ONLINE_MINUTES)


def list_floor(raw, viewer_id=None, agency_id=None):
    """The count and the first page, unprepared (the app prepares nothing); for a viewer, after the walk."""
    def run():
        ids = None
        if viewer_id is not None:
            ids = [row[0] for row in raw.execute(WALK_SQL, {"viewer": viewer_id}, prepare=False)]
        count_sql, page_sql = list_sql(ids, agency_id)
        total = raw.execute(count_sql, prepare=False).fetchone()[0]
        return total, raw.execute(page_sql, prepare=False).fetchall()

    return run


def seed(raw, password_hash, log):
    """Agencies, their staff trees, 10,000 companies and some presence; returns the elapsed ms."""
    started = time.perf_counter()
    params = {"prefix": PREFIX, "agencies": AGENCIES, "staff": STAFF_PER_AGENCY, "supervisors": SUPERVISORS,
              "hash": password_hash, "companies": COMPANIES, "slugs": SLUG_PATTERN,
              "reps": AGENCIES * (STAFF_PER_AGENCY - 1 - SUPERVISORS)}
    with raw.transaction():
        for sql in (SEED_AGENCIES, SEED_STAFF, SEED_TREE, SEED_COMPANIES, SEED_PRESENCE):
            raw.execute(sql, params)
    for table in ("agencies", "platform_users", "tenants", "tenant_presence"):
        raw.execute(f"ANALYZE public.{table}")
    counts = dict(raw.execute("SELECT status, count(*) FROM public.tenants WHERE slug ~ %s GROUP BY status",
                              (SLUG_PATTERN,)).fetchall())
    log(f"seeded {AGENCIES} agencies, {AGENCIES * STAFF_PER_AGENCY} staff, {sum(counts.values()):,} companies "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(counts.items()))})")
    return (time.perf_counter() - started) * 1000


def unseed(raw):
    """Drop the schema-less companies (and with them their presence rows)."""
    raw.execute("DELETE FROM public.tenants WHERE slug ~ %s", (SLUG_PATTERN,))


def console_get(client, base_url, path):
    def fetch():
        response = client.get(path, base_url=base_url)
        assert response.status_code == 200, f"GET {path}: {response.status_code}"
        return response
    return fetch


def sign_in_operator(app, db, base_url, password):
    """An operator with TOTP enrolled, signed in through /console/login and /console/otp: the client."""
    import pyotp

    from crm_saas.core.base import utcnow
    from crm_saas.tenants import accounts

    with app.app_context():
        user, _uri = accounts.create_operator("bench_operator", "运营 Bench", password)
        user.totp_confirmed, user.must_change_password = True, False
        secret = accounts.totp_secret(user)
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    response = client.post("/console/login", data={"username": "bench_operator", "password": password},
                           base_url=base_url)
    assert response.status_code == 302 and "/console/otp" in response.headers["Location"], response.status_code
    totp = pyotp.TOTP(secret)
    response = client.post("/console/otp", data={"code": totp.generate_otp(totp.timecode(utcnow()))},
                           base_url=base_url)
    assert response.status_code == 302, f"operator's code refused: {response.status_code}"
    return client


def sign_in_staff(app, base_url, username, password):
    client = app.test_client()
    response = client.post("/console/login", data={"username": username, "password": password}, base_url=base_url)
    assert response.status_code == 302, f"console login of {username} failed: {response.status_code}"
    return client


def shown(html, total, rows):
    """What the page shows of the floor's list: ``"checked"`` (total and first row, rows in the floor's order),
    or why not. A page listing none of the floor's companies is still the stub."""
    names = [row[1] for row in rows]
    found = [(html.find(name), name) for name in names if name in html]
    if not found:
        return "STUB: the page lists none of the floor's companies"
    order = [name for _, name in sorted(found)]
    assert order == [name for name in names if name in html], "page rows are not in the floor's order"
    assert names[0] in html, f"page does not start with {names[0]!r}"
    notes = [] if len(found) == len(names) else [f"{len(found)} of the floor's {len(names)} rows shown"]
    if not re.search(rf"\b({total}|{total:,})\b", html):
        notes.append(f"total {total:,} not found on the page")
    return "checked" + (": " + "; ".join(notes) if notes else "")


def run(app, db, database_url, session_for, password_hash, password, runs, log, explain=False):
    """Result rows: the operator's and a supervisor's company list, a company request with and without the
    platform's checks, and the request that writes presence."""
    with app.app_context():
        engine = db.engine
    platform_url = f"http://{app.config['CRM_BASE_DOMAIN']}"
    rows = []
    with floors.connect(database_url) as raw:
        seed(raw, password_hash, log)
        try:
            operator = sign_in_operator(app, db, platform_url, password)
            rows += _list(app, engine, raw, "operator", operator, platform_url, None, None, runs, log, explain)
            viewer, agency_id, username = _supervisor(raw)
            client = sign_in_staff(app, platform_url, username, password)
            rows += _list(app, engine, raw, f"supervisor {username}", client, platform_url, viewer, agency_id,
                          runs, log, explain)
        finally:
            unseed(raw)
        rows += company_request(app, db, raw, session_for, password_hash, password, runs, log)
    return rows


def _supervisor(raw):
    """The first agency's first supervisor: ``(id, agency id, username)``."""
    return raw.execute(
        "SELECT u.id, u.agency_id, u.username FROM public.platform_users u WHERE u.role = 'supervisor' "
        "AND u.code LIKE %s ORDER BY u.code LIMIT 1", (PREFIX + "%",)).fetchone()


def _list(app, engine, raw, who, client, base_url, viewer_id, agency_id, runs, log, explain):
    floor = list_floor(raw, viewer_id, agency_id)
    total, first = floor()
    assert total and first, f"the floor finds no trial companies for the {who}"
    scope = "all 10,000"
    if viewer_id is not None:
        people = len(raw.execute(WALK_SQL, {"viewer": viewer_id}).fetchall())
        scope = f"subtree {people} of {AGENCIES * STAFF_PER_AGENCY} staff"
    log(f"company list as the {who} ({scope}): {total:,} trial companies vs floor")
    page = console_get(client, base_url, LIST_URL)
    check = shown(page().get_data(as_text=True), total, first)
    if check.startswith("STUB"):
        log(f"/console/companies is still a stub: {check}")
    label = f"company list status=trial&sort=ends_at, {who} ({scope}), {total:,} hits"
    how = anatomy(app, engine, page)
    row = compare(engine, label, page, floor, runs,
                  f"{check}; {how}; floor: {'walk, ' if viewer_id else ''}count + 50 rows with agency, rep, online")
    if explain:
        ids = None if viewer_id is None else [r[0] for r in raw.execute(WALK_SQL, {"viewer": viewer_id})]
        count_sql, page_sql = list_sql(ids, agency_id)
        print(f"\n== EXPLAIN company list, {who}: floor count ==")
        print(floors.explain(raw, count_sql, None))
        print_explain(raw, engine, f"company list, {who}", page, page_sql)
    return [row]


# -- a company request: the expiry check and the presence hook ------------------------------------------------

def presence_hooks(app):
    """The list of request hooks holding ``presence.note_activity`` (a teardown now, an ``after_request`` at
    first), or None when it is not installed."""
    from crm_saas.tenants import presence

    for funcs in (app.teardown_request_funcs, app.after_request_funcs):
        if presence.note_activity in funcs.get(None, []):
            return funcs[None]
    return None


@contextmanager
def without_checks(app):
    """The app with the presence hook removed and ``effective_status`` reduced to the stored status."""
    from crm_saas.tenants import presence
    from crm_saas.tenants.models import Tenant

    hooks = presence_hooks(app)
    position = hooks.index(presence.note_activity)
    original = Tenant.effective_status
    hooks.remove(presence.note_activity)
    Tenant.effective_status = lambda self, now=None: self.status
    try:
        yield
    finally:
        Tenant.effective_status = original
        hooks.insert(position, presence.note_activity)


def paired_medians(app, fetch, pairs):
    """Medians of ``fetch`` with the checks and without, alternating request by request (and which goes first),
    so drift in the machine's load falls on both alike."""
    with_ms, without_ms = [], []

    def timed(samples):
        start = time.perf_counter()
        fetch()
        samples.append((time.perf_counter() - start) * 1000)

    for _ in range(5):
        fetch()
    for i in range(pairs):
        if i % 2:
            timed(with_ms)
            with without_checks(app):
                timed(without_ms)
        else:
            with without_checks(app):
                timed(without_ms)
            timed(with_ms)
    return statistics.median(with_ms), statistics.median(without_ms)


def per_call_us(fn, calls=20_000):
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) * 1e6 / calls


def in_process_costs(app, base_url, tenant_id, schema, user_id, forget, writes=30):
    """What the checks cost by themselves: µs per call of ``effective_status`` on a company row and of
    ``note_activity`` when its memo says "seen", and the median ms of a ``note_activity`` that writes
    (Redis ``SET NX``, a pooled connection, the upsert, commit)."""
    from flask import g

    from crm_saas.core.base import utcnow
    from crm_saas.tenants import presence
    from crm_saas.tenants.models import Tenant

    with app.app_context():
        row = Tenant(status="trial", expires_at=utcnow() + timedelta(days=30))
        status_us = per_call_us(row.effective_status)
    with app.test_request_context("/me", base_url=base_url):
        g.tenant = types.SimpleNamespace(id=tenant_id, schema_name=schema)
        g._login_user = types.SimpleNamespace(id=user_id, name="Admin", is_authenticated=True)
        if presence_hooks(app) is app.after_request_funcs.get(None):
            response = app.response_class("")
            hook = functools.partial(presence.note_activity, response)
        else:
            hook = presence.note_activity  # a teardown: no error
        presence._memo[(tenant_id, user_id)] = time.monotonic()  # seen just now: the steady state
        hook_us = per_call_us(hook)
        samples = []
        for _ in range(writes):
            forget()
            start = time.perf_counter()
            hook()
            samples.append((time.perf_counter() - start) * 1000)
    return status_us, hook_us, statistics.median(samples)


def company_request(app, db, raw, session_for, password_hash, password, runs, log):
    from crm_saas.core.queue import redis_connection
    from crm_saas.tenants import presence
    from crm_saas.tenants.provisioning import provision_tenant, schema_for

    if presence_hooks(app) is None:
        return [("company request GET /me: presence hook not installed", "", "", "", "")]
    with app.app_context():
        tenant_id = provision_tenant(REAL_SLUG, "Platform Real Co", {"username": "admin",
                                                                      "password_hash": password_hash,
                                                                      "name": "Admin"})
        db.session.remove()
    schema = schema_for(REAL_SLUG)
    user_id = raw.execute(f'SELECT id FROM "{schema}".users WHERE username = %s', ("admin",)).fetchone()[0]
    client, base_url = session_for(REAL_SLUG, "admin", password)
    fetch = console_get(client, base_url, "/me")
    pairs = max(PAIRS_AT_LEAST, 20 * runs)
    log(f"GET /me on {REAL_SLUG}: with and without the platform's checks, {pairs} pairs")
    with_ms, without_ms = paired_medians(app, fetch, pairs)
    key = f"crm:seen:{schema}:{user_id}"

    def forget():
        presence._memo.pop((tenant_id, user_id), None)
        with app.app_context():
            redis_connection().delete(key)

    status_us, hook_us, hook_write_ms = in_process_costs(app, base_url, tenant_id, schema, user_id, forget)

    log("GET /me that writes presence (memo and Redis key cleared before each)")
    raw.execute("DELETE FROM public.tenant_presence WHERE tenant_id = %s", (tenant_id,))
    with app.app_context():
        engine = db.engine
    samples, steady, writes = [], [], []
    for _ in range(max(3 * runs, 30)):  # a write, then a request that finds the memo: drift falls on both alike
        forget()
        with sql_meter(engine) as stats:
            start = time.perf_counter()
            fetch()
            samples.append((time.perf_counter() - start) * 1000)
        writes += [ms for ms, sql, _ in stats["log"] if "tenant_presence" in sql]
        start = time.perf_counter()
        fetch()
        steady.append((time.perf_counter() - start) * 1000)
    seen = raw.execute("SELECT t.last_activity_at IS NOT NULL, count(p.user_id) FROM public.tenants t "
                       "LEFT JOIN public.tenant_presence p ON p.tenant_id = t.id AND p.user_id = %s "
                       "WHERE t.id = %s GROUP BY t.id", (user_id, tenant_id)).fetchone()
    assert seen == (True, 1), f"the request did not record presence: {seen}"
    assert len(writes) == len(samples), f"{len(writes)} presence writes in {len(samples)} requests"
    write_ms, steady_ms = statistics.median(samples), statistics.median(steady)
    return [
        (f"company request GET /me, expiry + presence checks ({pairs} pairs)", f"with {with_ms:7.2f} ms",
         f"without {without_ms:6.2f} ms", f"ratio {with_ms / without_ms:5.2f}",
         f"[adds {with_ms - without_ms:+.2f} ms; in-process per call: effective_status {status_us:.1f} µs, "
         f"note_activity (memo hit) {hook_us:.1f} µs]"),
        ("  same, the request that writes presence (memo and Redis key cleared)", f"page {write_ms:7.2f} ms",
         f"steady {steady_ms:6.2f} ms", f"ratio {write_ms / steady_ms:5.2f}",
         f"[adds {write_ms - steady_ms:+.2f} ms; {len(samples)} pairs, write then memo hit; in-process: the hook "
         f"{hook_write_ms:.2f} ms, of which the upsert {statistics.median(writes):.2f} ms]"),
    ]
