"""Backend memory after a request load across many tenants, with and without recycling the connections.

Every tenant a PostgreSQL backend serves leaves its tables' and indexes'
catalog entries in the backend's ``CacheMemoryContext``, which never shrinks
(``crm_saas/tenants/recycling.py``). The bench provisions ``--memory-tenants``
companies (1,000 by default), then serves the same load twice, each time from
an app of its own: for every company in turn, sign in, the board and the
customer list. One app keeps its connections for ever (``CRM_DB_TENANTS_PER_CONNECTION=0``,
``CRM_DB_POOL_RECYCLE=0``: before issue 12), the other has the defaults. A
sequential load reuses one pooled connection for everything, the worst case:
in production, with tenants' traffic interleaved over a pool, every
connection ends up serving every tenant.

Memory is read on each connection left in the pool afterwards, by the
backend itself: ``pg_backend_memory_contexts`` (all contexts, and the
``CacheMemoryContext`` subtree), and the backend's private resident memory
(``RssAnon`` in ``/proc/<pid>/status``) when the server runs on this machine
and is readable. "fresh" is a backend that has served one company. The bound
holds when no backend of the recycled app served more companies than the
bound, nor grew past 110 % of what the kept app's backend held after serving
that many.
"""
import time

from sqlalchemy import text

MIB = 1024 * 1024
PAGES = ("/board", "/customers/")

MEMORY_SQL = text("""
    SELECT pg_backend_pid(),
           sum(total_bytes),
           sum(total_bytes) FILTER (WHERE name = 'CacheMemoryContext' OR parent = 'CacheMemoryContext')
    FROM pg_backend_memory_contexts
""")


def run(make_app, password_hash, password, tenants, log):
    """Rows for the bench table: one per app, and the check of the bound.

    ``make_app(**settings)`` builds an app on the bench's database with those settings over the bench's own.
    """
    from crm_saas.extensions import db

    provisioner = make_app()
    slugs = _provision(provisioner, db, password_hash, tenants, log)
    _dispose(provisioner, db)

    kept = Load(make_app(CRM_DB_TENANTS_PER_CONNECTION=0, CRM_DB_POOL_RECYCLE=0), db, password)
    recycled = Load(make_app(), db, password)
    log(f"{len(slugs)} companies x (sign in + {len(PAGES)} pages), served in turn by an app whose connections are "
        f"kept for ever and by one that recycles them")
    kept.serve(slugs[0])
    fresh = [dict(peak) for peak in kept.peaks.values()]  # one backend, one company
    for i, slug in enumerate(slugs[1:]):
        for load in ((kept, recycled) if i % 2 else (recycled, kept)):  # neither always reads the other's pages warm
            load.serve(slug)
    recycled.serve(slugs[0])
    kept.close()
    recycled.close()

    fresh_total = min(b["total"] for b in fresh)
    fresh_cache = min(b["cache"] for b in fresh)
    per_tenant = (kept.largest()["cache"] - fresh_cache) / max(len(slugs) - 1, 1)
    rows = []
    for label, load in (("kept for ever (before issue 12)", kept), ("recycled (defaults)", recycled)):
        big = load.largest()
        rows.append((
            f"backend memory over {len(slugs):,} companies, connections {label}",
            f"{big['total'] / MIB:6.1f} MiB",
            f"fresh {fresh_total / MIB:5.1f} MiB",
            f"ratio {big['total'] / fresh_total:6.2f}",
            f"largest backend: cache {big['cache'] / MIB:.1f} MiB{_rss(big)}, {big['tenants']} companies; "
            f"{len(load.peaks)} backends; load {load.seconds:.1f} s",
        ))
    bound = int(recycled.app.config["CRM_DB_TENANTS_PER_CONNECTION"] or 0)
    if bound:
        # What a backend holds once it has served the bound's companies, as the kept app's backend grew.
        at_bound = max(total for served, total in kept.by_tenants.items() if served <= bound)
        allowed = at_bound * 1.1
        worst = recycled.largest()
        rows.append((
            f"  bound: {bound} companies a connection",
            f"{worst['total'] / MIB:6.1f} MiB",
            f"allowed {allowed / MIB:5.1f} MiB",
            f"ratio {worst['total'] / allowed:6.2f}",
            f"{'holds' if worst['total'] <= allowed and worst['tenants'] <= bound else 'BROKEN'}: "
            f"at most {bound} companies a backend, and within 10 % of the kept backend after {bound} "
            f"({at_bound / MIB:.1f} MiB); cache +{per_tenant / 1024:.0f} KiB a company kept; "
            f"load time x{recycled.seconds / kept.seconds:.2f} of kept",
        ))
    return rows


class Load:
    """One app serving companies one after another; the peak memory of every backend it used.

    A backend's memory is read by the backend itself when the pool takes its
    connection back having served one more company than at the last reading
    (and once more for every connection at the end), before the recycling
    decides whether to close it (this listener goes first): so a backend's
    last and largest state is seen too. Reading ``pg_backend_memory_contexts``
    of a backend holding 1,000 companies' catalogs takes tens of milliseconds,
    so that time is left out of ``seconds``, the load's own time.
    """

    def __init__(self, app, db, password):
        from sqlalchemy import event

        self.app, self.db, self.password = app, db, password
        self.seconds, self.sampling, self.peaks, self.by_tenants, self.final = 0.0, 0.0, {}, {}, False
        with app.app_context():
            self.engine = db.engine
        event.listen(self.engine.pool, "checkout", self._count)
        event.listen(self.engine.pool, "checkin", self._sample, insert=True)

    @staticmethod
    def _count(dbapi_connection, connection_record, connection_proxy):
        """The companies this connection served (its ``info`` is new with every connection)."""
        from crm_saas.tenants.binding import current_schema

        if current_schema():
            connection_record.info.setdefault("bench_schemas", set()).add(current_schema())

    def _sample(self, dbapi_connection, connection_record):
        served = len(connection_record.info.get("bench_schemas", ()))
        if dbapi_connection is None or (served == connection_record.info.get("bench_read") and not self.final):
            return
        start = time.perf_counter()
        connection_record.info["bench_read"] = served
        with dbapi_connection.cursor() as cursor:
            cursor.execute(str(MEMORY_SQL))
            pid, total, cache = cursor.fetchone()
        dbapi_connection.rollback()
        peak = self.peaks.setdefault(pid, {"total": 0, "cache": 0, "rss": None, "tenants": 0})
        peak["tenants"] = max(peak["tenants"], served)
        self.by_tenants[served] = max(self.by_tenants.get(served, 0), int(total))
        if total > peak["total"]:
            peak.update(total=int(total), cache=int(cache or 0), rss=_rss_anon(pid))
        self.sampling += time.perf_counter() - start

    def serve(self, slug):
        start, sampled = time.perf_counter(), self.sampling
        client = self.app.test_client()
        base_url = f"http://{slug}.{self.app.config['CRM_BASE_DOMAIN']}"
        response = client.post("/login", data={"username": "admin", "password": self.password}, base_url=base_url)
        assert response.status_code == 302, f"login to {slug}: {response.status_code}"
        for page in PAGES:
            response = client.get(page, base_url=base_url)
            assert response.status_code == 200, f"GET {page} of {slug}: {response.status_code}"
        self.seconds += time.perf_counter() - start - (self.sampling - sampled)

    def largest(self):
        return max(self.peaks.values(), key=lambda b: b["total"])

    def close(self):
        """Read every connection left in the pool once more, then close them."""
        self.final = True
        held = [self.engine.raw_connection() for _ in range(self.engine.pool.checkedin())]
        for connection in held:
            connection.close()
        _dispose(self.app, self.db)


def _provision(app, db, password_hash, tenants, log):
    from crm_saas.tenants.provisioning import provision_tenant

    log(f"provisioning {tenants} companies for the memory bench")
    slugs = [f"m{i:04d}" for i in range(tenants)]
    with app.app_context():
        for slug in slugs:
            provision_tenant(slug, f"Memory {slug}", {"username": "admin", "password_hash": password_hash,
                                                       "name": "Admin"})
        db.session.remove()
    return slugs


def _rss_anon(pid):
    """The backend's private resident memory, when its /proc entry is here and readable (same machine, root)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _rss(backend):
    return f", RssAnon {backend['rss'] / MIB:.1f} MiB" if backend["rss"] else ""


def _dispose(app, db):
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
