"""The lead pool (issue 15, C11): the scheduled job's move beside its floor, and concurrent claims.

Seeded with set-based SQL into a company of its own: 10 reps, 100,000 customers
with a main contact dealt round-robin over them, every tenth owned 40 days ago
and never followed up (due under the pool's 30-day rule), the rest owned 5
days ago; 20,000 open deals on customers that are not due, so the rule's
open-deal exemption is looked up for every candidate as in a real company.

- The job: ``recycle_pools``' work in the company (``run_pools``: the warning
  scan, then one ``UPDATE ... RETURNING`` that also writes the change log and
  the pool events, then the commit) moving the 10,000 due customers, vs. the
  floor: one bare ``UPDATE customers ... WHERE <30 days without a follow-up>
  RETURNING id`` making the same move, with no log, no exemptions, no events.
  Both are undone (untimed) after every run, so each run moves the same rows.
- Claims: 8 threads, each with its own session and connection, claim one
  customer at a time from the pool, every thread walking the same pooled
  customers in its own shuffled order, until none is left; claims
  per second, and a check that no customer was claimed twice (the pool
  events and the owners agree with what each thread was told). The first
  2,000 pooled customers: every thread tries every one of them, so a run
  makes 16,000 attempts, 2,000 of which win.
"""
import random
import statistics
import threading
import time

CUSTOMERS = 100_000
REPS = 10
DUE_EVERY = 10  # one customer in ten is due
DEALS = 20_000
CLAIMERS = 8
CLAIMED = 2_000  # the claim bench's share of the pool: each claimer walks all of it
SLUG = "poolbench"

SEED_USERS = """
INSERT INTO "{s}".users (username, password_hash, name, role, superior_id, active, must_change_password,
                         failed_logins, session_token, created_at)
SELECT 'rep' || g, %(hash)s, 'Rep ' || g, 'rep', 1, true, false, 0, md5('rep' || g), now()
FROM generate_series(1, {reps}) g
"""
SEED_CUSTOMERS = """
INSERT INTO "{s}".customers (number, name, name_key, industry, type, source, owner_id, created_by_id, created_at,
                             updated_at, owned_at, tags)
SELECT 'PB' || lpad(g::text, 8, '0'), 'Pool Co ' || g, 'poolco' || g,
       (ARRAY['manufacturing','it','retail','finance','services','other'])[1 + g % 6], 'potential', 'referral',
       1 + g % {owners}, 1, now() - interval '60 days', now() - interval '60 days',
       CASE WHEN g % {due_every} = 0 THEN now() - interval '40 days' ELSE now() - interval '5 days' END, '{{}}'
FROM generate_series(1, {customers}) g
"""
SEED_CONTACTS = """
INSERT INTO "{s}".contacts (customer_id, name, phone, phone_key, is_primary)
SELECT id, 'Contact ' || id, '138' || lpad(id::text, 8, '0'), '138' || lpad(id::text, 8, '0'), true
FROM "{s}".customers
"""
SEED_DEALS = """
INSERT INTO "{s}".deals (name, customer_id, pipeline_id, stage_id, position, amount, owner_id, probability,
                         stage_changed_at, created_at, updated_at)
SELECT 'Deal ' || c.id, c.id, p.id, st.id, c.id, 1000, c.owner_id, 10, now(), now() - interval '30 days', now()
FROM (SELECT id, owner_id FROM "{s}".customers WHERE id % {due_every} <> 0 ORDER BY id LIMIT {deals}) c
CROSS JOIN (SELECT id FROM "{s}".pipelines WHERE is_default) p
CROSS JOIN (SELECT id FROM "{s}".stages WHERE kind = 'open' ORDER BY position LIMIT 1) st
"""
RULES = """
UPDATE "{s}".pools SET rules = '{{"no_follow_up_days": 30, "no_deal_days": null, "no_win_days": null,
    "per_type": {{}}, "exempt_closed": true, "exempt_open_deal": true, "warn_days": 3, "max_extensions": 2}}'
WHERE is_default
"""
# The floor: the same rows moved by one bare statement (what the job's move cannot do with less).
FLOOR_SQL = """
UPDATE "{s}".customers SET owner_id = NULL, pool_id = %(pool)s, previous_owner_id = owner_id,
       pool_entered_at = now(), pool_rule = 'no_follow_up'
WHERE owner_id IS NOT NULL AND deleted_at IS NULL
  AND greatest(coalesce(owned_at, created_at), last_follow_up_at) <= now() - interval '30 days'
RETURNING id
"""
# Undo a move (untimed): owners back, the job's log rows and events gone.
UNDO = ("""UPDATE "{s}".customers SET owner_id = previous_owner_id, pool_id = NULL, pool_entered_at = NULL,
                  pool_rule = NULL, pool_reason = NULL, previous_owner_id = NULL WHERE pool_id IS NOT NULL""",
        """DELETE FROM "{s}".customer_changes WHERE action = 'pooled'""",
        """DELETE FROM "{s}".pool_events""",
        """UPDATE "{s}".tasks SET done = false, done_at = NULL WHERE done""")


def seed(app, db, raw, password_hash, log):
    """The company, provisioned and seeded; its schema and default pool's id."""
    from crm_saas.tenants.binding import check_schema_name
    from crm_saas.tenants.provisioning import provision_tenant, schema_for

    with app.app_context():
        provision_tenant(SLUG, "Pool Bench Co", {"username": "admin", "password_hash": password_hash,
                                                 "name": "Admin"})
        db.session.remove()
    s = check_schema_name(schema_for(SLUG))
    started = time.perf_counter()
    with raw.transaction():
        raw.execute(SEED_USERS.format(s=s, reps=REPS), {"hash": password_hash})
        for sql in (SEED_CUSTOMERS, SEED_CONTACTS, SEED_DEALS, RULES):
            raw.execute(sql.format(s=s, owners=REPS + 1, due_every=DUE_EVERY, customers=CUSTOMERS, deals=DEALS))
    for table in ("users", "customers", "contacts", "deals", "pools"):
        raw.execute(f'ANALYZE "{s}".{table}')
    pool_id = raw.execute(f'SELECT id FROM "{s}".pools WHERE is_default').fetchone()[0]
    log(f"seeded {CUSTOMERS:,} customers ({CUSTOMERS // DUE_EVERY:,} due) and {DEALS:,} open deals into {s} "
        f"in {time.perf_counter() - started:.1f} s")
    return s, pool_id


def undo(raw, s):
    with raw.transaction():
        for sql in UNDO:
            raw.execute(sql.format(s=s))


def timed_then_undone(fn, raw, s, runs):
    """Median ms of ``fn`` over ``runs`` runs, each on the same data (undone after, untimed); its last result."""
    samples, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
        undo(raw, s)
    return statistics.median(samples), result


def job_rows(app, db, raw, s, pool_id, runs, log):
    from crm_saas.blueprints.pools.services.recycling import run_pools
    from crm_saas.tenants.binding import tenant_context

    def job():
        with app.app_context(), tenant_context(s):
            return run_pools()

    def floor():
        return len(raw.execute(FLOOR_SQL.format(s=s), {"pool": pool_id}, prepare=False).fetchall())

    log(f"pool job over {CUSTOMERS:,} customers ({CUSTOMERS // DUE_EVERY:,} due) vs one UPDATE ... RETURNING")
    job(), undo(raw, s)  # warm: the app's first queries in this company
    job_ms, totals = timed_then_undone(job, raw, s, runs)
    floor_ms, moved = timed_then_undone(floor, raw, s, runs)
    assert totals["recycled"] == moved == CUSTOMERS // DUE_EVERY, (totals, moved)
    logged = raw.execute(f'SELECT count(*) FROM "{s}".customer_changes WHERE action = %s', ("pooled",)).fetchone()
    assert logged[0] == 0  # undone
    return [(f"pool job, {CUSTOMERS // 1000}k customers, {moved:,} due (move + change log + events)",
             f"job {job_ms:8.1f} ms", f"floor {floor_ms:6.1f} ms", f"ratio {job_ms / floor_ms:5.2f}",
             "[floor: one bare UPDATE ... RETURNING moving the same rows]")]


def claim_rows(app, db, raw, s, pool_id, log):
    """8 claimers on one pool until it is empty: claims/s, and no customer claimed twice."""
    from crm_saas.blueprints.pools.models import Pool
    from crm_saas.blueprints.pools.services import PoolConflict
    from crm_saas.blueprints.pools.services.moves import claim_customers
    from crm_saas.blueprints.pools.services.recycling import run_pools
    from crm_saas.core.users import User
    from crm_saas.tenants.binding import tenant_context

    with app.app_context(), tenant_context(s):
        run_pools()  # fill the pool: the due tenth goes back
    pooled = [row[0] for row in raw.execute(
        f'SELECT id FROM "{s}".customers WHERE pool_id = %s ORDER BY id LIMIT %s', (pool_id, CLAIMED))]
    claimers = [row[0] for row in raw.execute(
        f'SELECT id FROM "{s}".users WHERE role = %s ORDER BY id LIMIT %s', ("rep", CLAIMERS))]
    got = {user_id: [] for user_id in claimers}
    refused = {user_id: 0 for user_id in claimers}
    barrier = threading.Barrier(len(claimers) + 1)
    log(f"{len(claimers)} claimers on one pool of {len(pooled):,} customers, one claim at a time")

    def claimer(user_id, order):
        with app.app_context(), tenant_context(s):
            pool, actor = db.session.get(Pool, pool_id), db.session.get(User, user_id)
            barrier.wait()
            for customer_id in order:
                try:
                    got[user_id] += claim_customers(pool, [customer_id], actor=actor).claimed
                except PoolConflict:
                    refused[user_id] += 1

    threads = []
    for i, user_id in enumerate(claimers):
        order = list(pooled)
        random.Random(i).shuffle(order)
        threads.append(threading.Thread(target=claimer, args=(user_id, order)))
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    claimed = [customer_id for ids in got.values() for customer_id in ids]
    owners = dict(raw.execute(f'SELECT id, owner_id FROM "{s}".customers WHERE id = ANY(%s)', (pooled,)).fetchall())
    events = raw.execute(f'SELECT count(*), count(DISTINCT customer_id) FROM "{s}".pool_events WHERE kind = %s',
                         ("claim",)).fetchone()
    twice = len(claimed) - len(set(claimed))
    wrong = sum(1 for user_id, ids in got.items() for customer_id in ids if owners[customer_id] != user_id)
    check = "ok" if (twice, wrong) == (0, 0) and len(set(claimed)) == len(pooled) == events[0] == events[1] \
        else f"FAILED: {twice} claimed twice, {wrong} owned by someone else, {events[0]} claim events"
    undo(raw, s)
    return [(f"claims, {len(claimers)} concurrent claimers on one pool of {len(pooled):,}",
             f"{len(claimed) / elapsed:8.0f} claims/s", f"{elapsed:6.1f} s wall",
             f"{(len(claimed) + sum(refused.values())) / elapsed:5.0f} attempts/s, "
             f"{sum(refused.values()):,} told taken",
             f"[claimed once each: {check}; per claimer {min(map(len, got.values()))}-"
             f"{max(map(len, got.values()))}]")]


def run(app, db, raw, password_hash, runs, log):
    s, pool_id = seed(app, db, raw, password_hash, log)
    rows = job_rows(app, db, raw, s, pool_id, runs, log)
    rows += claim_rows(app, db, raw, s, pool_id, log)
    return rows

