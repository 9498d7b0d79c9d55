"""Background jobs whose database row is the truth: queued, started with progress, finished, or failed with a reason.

A feature's job table mixes in ``TrackedJob`` (exports now; imports and
reports to come). The web side calls ``start`` (or ``retry``); the job runs
inside ``running`` and reports into the row; readers read the row. Redis
only carries the work, so nothing a user sees depends on a record that
expires.

A job that dies is marked failed, with a reason, by whoever notices first:

- the job itself, for an error or RQ's timeout (``running``);
- the worker, the moment the process running the job is killed
  (crm_saas/workers/callbacks.py: RQ's work-horse-killed handler and failure
  callback, which also covers RQ's abandoned jobs);
- ``reconcile``, for a whole worker killed (its heartbeat key lapses after
  ``ALIVE_TTL`` seconds) or a job gone from Redis; run on every read of a row
  still in flight and by the scheduler's reaper every ``REAP_EVERY`` seconds
  over the rows in flight (``reap``).

With Redis down, ``start`` refuses with ``QueueUnavailable`` (the views
answer 503) and leaves no row behind.
"""
import logging
import threading
import time
import uuid
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from redis.exceptions import RedisError
from rq import Callback
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import String, Text, update
from sqlalchemy.orm import Mapped, mapped_column

from crm_saas.core.base import utcnow
from crm_saas.core.queue import export_queue, redis_connection
from crm_saas.extensions import db
from crm_saas.tenants.binding import current_schema, tenant_context, tenant_engine

log = logging.getLogger(__name__)

IN_FLIGHT = ("queued", "started")
ALIVE_TTL = 20  # seconds a running job's heartbeat key outlives its last beat
ALIVE_EVERY = 5
REAP_EVERY = 15
PROGRESS_EVERY = 1.0  # seconds between progress writes to the row
TRACKED = {}  # table name -> model, filled as models mixing in TrackedJob are declared

REASONS = {
    "worker_stopped": _l("The worker running it stopped before it finished (restarted, or out of memory)."),
    "timed_out": _l("It ran longer than its time limit."),
    "stopped": _l("It was stopped by an operator."),
    "job_lost": _l("Its job was lost from the queue (the queue server restarted or was emptied)."),
    "error": _l("It stopped with an error (%(kind)s)."),
    "company_closed": _l("The company's trial or subscription has ended (or it is suspended): nothing was done."),
}


class CompanyClosedError(RuntimeError):
    """A job of a company that cannot work (expired, suspended, waiting): refused, its data untouched (A2)."""


class QueueUnavailable(RuntimeError):
    """The job queue (Redis) cannot be reached: nothing was started."""


class TrackedJob:
    """Columns of a row that follows one background job; ``error`` holds a reason code (``REASONS``)."""

    status: Mapped[str] = mapped_column(String(20), default="queued")
    progress: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    job_id: Mapped[str | None] = mapped_column(String(64))
    finished_at: Mapped[datetime | None]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if getattr(cls, "__tablename__", None):
            TRACKED[cls.__tablename__] = cls

    @property
    def failure(self):
        """Why it failed, in the reader's language (None unless it failed)."""
        return failure_message(self.error) if self.status == "failed" else None


def failure_message(code):
    """A stored reason code as a sentence; rows failed before the codes kept their text as it was."""
    kind, _sep, detail = (code or "").partition(":")
    if kind == "error":
        return str(REASONS["error"] % {"kind": detail or "?"})
    return str(REASONS[kind]) if kind in REASONS else code


def _key(*parts):
    """A Redis key of this installation's jobs (named by its queue: installations may share a Redis)."""
    return ":".join(("crm", current_app.config["CRM_EXPORT_QUEUE"], "jobs", *map(str, parts)))


def _member(schema, row):
    return f"{schema}|{row.__tablename__}|{row.id}"


def _alive_key(schema, table, row_id):
    return _key("alive", schema, table, row_id)


def start(row, func, *args, timeout=None):
    """Record ``row`` as queued and queue ``func(schema, row.id, *args)``; ``QueueUnavailable`` if Redis is away.

    The row is committed first (the job looks it up), and deleted again if
    the queue refuses it, so a refused start leaves nothing behind. A row
    that failed before is queued again in place (``retry``).
    """
    is_new = row.id is None
    previous = (row.status, row.error)
    row.status, row.progress, row.error, row.finished_at = "queued", 0, None, None
    row.job_id = uuid.uuid4().hex
    db.session.add(row)
    db.session.commit()
    schema = current_schema()
    try:
        connection = redis_connection()
        export_queue().enqueue(
            func, schema, row.id, *args, job_id=row.job_id, job_timeout=timeout,
            result_ttl=86400, failure_ttl=86400, on_failure=Callback("crm_saas.workers.callbacks.job_failed"),
            meta={"crm_row": [schema, row.__tablename__, row.id]},
        )
        connection.sadd(_key("in-flight"), _member(schema, row))
    except RedisError as exc:
        log.warning("job queue unavailable, %s %s not started: %s", row.__tablename__, row.id, exc)
        if is_new:
            db.session.delete(row)
        else:
            row.status, row.error = previous
        db.session.commit()
        raise QueueUnavailable(str(exc)) from exc
    return row


def retry(row, func, *args, timeout=None):
    """Queue a failed row's job again; returns False (nothing done) for a row not failed."""
    if row.status != "failed":
        return False
    start(row, func, *args, timeout=timeout)
    return True


def mark_failed(schema, table, row_id, job_id, reason):
    """Fail the row if it is still in flight with this job; True if it changed.

    A row that finished meanwhile stays finished, and one retried since (a
    new job) is not failed by news of the old one.
    """
    model = TRACKED.get(table)
    if model is None:
        return False
    with tenant_engine(db.engine, schema).begin() as conn:
        changed = conn.execute(
            update(model).where(model.id == row_id, model.job_id == job_id, model.status.in_(IN_FLIGHT))
            .values(status="failed", error=reason[:500], finished_at=utcnow())
        ).rowcount
    _forget(schema, table, row_id)
    if changed:
        log.warning("job failed", extra={"tenant_schema": schema, "table": table, "row_id": row_id, "reason": reason})
    return bool(changed)


def _forget(schema, table, row_id):
    try:
        connection = redis_connection()
        connection.srem(_key("in-flight"), f"{schema}|{table}|{row_id}")
        connection.delete(_alive_key(schema, table, row_id))
    except RedisError:
        pass  # the reaper drops a member whose row has ended


def reason_of(exc_type=None, exc_text=""):
    """The reason code for how a job ended, from the exception's class or RQ's record of it."""
    name, text = getattr(exc_type, "__name__", ""), exc_text or ""
    if "CompanyClosedError" in (name, text) or "CompanyClosedError" in text:
        return "company_closed"
    if "JobTimeoutException" in (name, text) or "JobTimeoutException" in text:
        return "timed_out"
    if name == "AbandonedJobError" or "AbandonedJobError" in text or "Work-horse terminated" in text:
        return "worker_stopped"
    if name:
        return f"error:{name}"
    last = text.strip().splitlines()[-1] if text.strip() else ""
    if ":" in last:
        return f"error:{last.split(':', 1)[0].rsplit('.', 1)[-1][:80]}"
    return "worker_stopped"  # RQ recorded nothing more: the process running it ended


def job_reason(job):
    """The reason code for a job RQ holds as failed, stopped or canceled."""
    if job.get_status(refresh=False) in (JobStatus.STOPPED, JobStatus.CANCELED):
        return "stopped"
    result = job.latest_result()
    return reason_of(exc_text=(result.exc_string if result is not None else "") or "")


def reconcile(row):
    """Fail a row in flight whose job can no longer finish; returns the row (refreshed if it changed).

    Called on every read of a row in flight, and by the reaper. With Redis
    away nothing can be known, and nothing is changed.
    """
    if row.status not in IN_FLIGHT or not row.job_id:
        return row
    schema, table = current_schema(), row.__tablename__
    try:
        connection = redis_connection()
        alive = connection.exists(_alive_key(schema, table, row.id))
        try:
            job = Job.fetch(row.job_id, connection=connection)
        except NoSuchJobError:
            job = None
        reason = None
        if job is None:
            reason = None if alive else "job_lost"
        else:
            status = job.get_status(refresh=False)
            if status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
                reason = job_reason(job)
            elif status == JobStatus.STARTED and not alive and _started_before(job, ALIVE_TTL):
                reason = "worker_stopped"
    except RedisError:
        return row
    if reason and mark_failed(schema, table, row.id, row.job_id, reason):
        db.session.refresh(row)
    return row


def _started_before(job, seconds):
    started = job.started_at
    if started is None:
        return False
    if started.tzinfo is None:
        started = started.replace(tzinfo=utcnow().tzinfo)
    return (utcnow() - started).total_seconds() > seconds


def reap():
    """Reconcile every row in flight, of every company (the scheduler runs this every ``REAP_EVERY`` seconds).

    Reads only the set of rows in flight, never 1,000 schemas; a member whose
    row has ended (or whose company is gone) is dropped. Returns how many rows it failed.
    """
    connection = redis_connection()
    failed = 0
    for member in connection.smembers(_key("in-flight")):
        schema, table, row_id = member.decode().split("|")
        model = TRACKED.get(table)
        try:
            with tenant_context(schema):
                row = db.session.get(model, int(row_id)) if model is not None else None
                if row is None or row.status not in IN_FLIGHT:
                    connection.srem(_key("in-flight"), member)
                    continue
                failed += reconcile(row).status == "failed"
        except Exception:  # noqa: BLE001 - one company's trouble must not stop the others' reaping
            log.exception("could not reconcile %s", member)
    return failed


class Tracker:
    """What a running job writes to its row: progress (at most once a second), its heartbeat, how it ended."""

    def __init__(self, schema, row):
        self.schema, self.table, self.row_id, self.job_id = schema, row.__tablename__, row.id, row.job_id
        # Taken here: the heartbeat's thread has no app context.
        self.redis, self.alive_key = redis_connection(), _alive_key(schema, self.table, self.row_id)
        self._last_progress = 0.0
        self._stop = threading.Event()
        self._beat = threading.Thread(target=self._beating, name="crm-job-heartbeat", daemon=True)

    def progress(self, percent):
        now = time.monotonic()
        if now - self._last_progress < PROGRESS_EVERY:
            return
        self._last_progress = now
        model = TRACKED[self.table]
        with tenant_engine(db.engine, self.schema).begin() as conn:
            conn.execute(update(model).where(model.id == self.row_id, model.status == "started")
                         .values(progress=max(0, min(99, int(percent)))))

    def _alive(self):
        try:
            self.redis.set(self.alive_key, 1, ex=ALIVE_TTL)
        except RedisError:
            log.warning("job heartbeat not written", exc_info=True)

    def _beating(self):
        while not self._stop.wait(ALIVE_EVERY):
            self._alive()


def running(row, work):
    """Run ``work(tracker)`` as the row's job: started, then finished with what ``work`` returned, or failed.

    ``work`` returns a dict of columns to set on the finished row. An
    exception fails the row with its reason and is raised again for RQ.
    """
    schema = current_schema()
    tracker = Tracker(schema, row)
    tracker._alive()  # before the row says started: a reader never sees it started without a heartbeat
    tracker._beat.start()
    row.status, row.progress = "started", 0
    db.session.commit()
    try:
        values = work(tracker) or {}
    except Exception as exc:
        db.session.rollback()
        mark_failed(schema, tracker.table, tracker.row_id, tracker.job_id, reason_of(type(exc)))
        raise
    finally:
        tracker._stop.set()
    for key, value in values.items():
        setattr(row, key, value)
    row.status, row.progress, row.finished_at = "finished", 100, utcnow()
    db.session.commit()
    _forget(schema, tracker.table, tracker.row_id)
    return values
