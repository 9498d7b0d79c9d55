"""What the worker does when a job dies under it: the job's row says failed, with why, at once.

Both run in the worker's own process (the job's process is gone or never
reached its own error handling), inside the app it built at start.
"""
import logging

from crm_saas.core import jobs
from crm_saas.workers.context import get_app

log = logging.getLogger("crm_saas.jobs")


def _fail(job, reason):
    schema, table, row_id = (job.meta or {}).get("crm_row") or (None, None, None)
    if schema is None:
        return
    with get_app().app_context():
        jobs.mark_failed(schema, table, row_id, job.id, reason)


def job_failed(job, connection, exc_type, exc_value, traceback):
    """RQ's failure callback: an error the job did not catch, its timeout, or RQ finding it abandoned."""
    _fail(job, jobs.reason_of(exc_type))


def horse_killed(job, pid, status, rusage):
    """RQ's work-horse-killed handler: the process running the job ended by a signal or the OOM killer."""
    log.warning("job process ended", extra={"job_id": job.id, "pid": pid, "wait_status": status})
    _fail(job, "worker_stopped")
