"""Medians, and a per-request count of SQL statements and the time spent in them."""
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
    """Count statements run on ``engine`` (and its schema-translating views) and their time in ms."""
    stats = {"statements": 0, "ms": 0.0}

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_start"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        stats["statements"] += 1
        stats["ms"] += (time.perf_counter() - conn.info.pop("bench_start")) * 1000

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield stats
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
