"""Medians, a per-request count of SQL statements and the time spent in them, and one result row."""
import statistics
import time
from contextlib import contextmanager

from sqlalchemy import event


def median_ms(fn, runs=20, warmup=3):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def once_ms(fn):
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


@contextmanager
def sql_meter(engine):
    """Count statements run on ``engine`` (and its schema-translating views) and their time in ms.

    ``stats["log"]`` keeps each ``(ms, statement, parameters)`` as sent to the driver,
    so ``--explain`` can show the plans of a page's own queries.
    """
    stats = {"statements": 0, "ms": 0.0, "log": []}

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_start"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        ms = (time.perf_counter() - conn.info.pop("bench_start")) * 1000
        stats["statements"] += 1
        stats["ms"] += ms
        stats["log"].append((ms, statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield stats
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def compare(engine, label, page, floor, runs, reference):
    """One result row: the page's and the floor's medians, their ratio, and the page's own SQL.

    ``[app SQL n stmts x ms]`` is the median over 5 metered page loads of the time
    spent in the database driver; page minus that is Python (ORM and templates).
    """
    page_ms = median_ms(page, runs=runs)
    floor_ms = median_ms(floor, runs=runs)
    metered = []
    for _ in range(5):
        with sql_meter(engine) as stats:
            page()
        metered.append(stats)
    sql_ms = statistics.median(s["ms"] for s in metered)
    sql = f"{metered[-1]['statements']} stmts {sql_ms:.1f} ms"
    return (label, f"page {page_ms:7.1f} ms", f"floor {floor_ms:6.1f} ms", f"ratio {page_ms / floor_ms:5.2f}",
            f"[app SQL {sql}; {reference}]")
