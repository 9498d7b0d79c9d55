"""The app a worker process built once at start; jobs run inside it, each logged with its id and company."""
import logging
import time
from contextlib import contextmanager

from rq import get_current_job

from crm_saas.tenants.binding import tenant_context

log = logging.getLogger("crm_saas.jobs")
_app = None


def set_app(app):
    global _app
    _app = app


def get_app():
    if _app is None:  # a job run outside `crm-saas worker` (rq's own CLI): build it now
        from crm_saas import create_app  # noqa: PLC0415  (only on this fallback path)

        set_app(create_app())
    return _app


@contextmanager
def job_tenant(schema):
    job = get_current_job()
    fields = {"job_id": job.id if job else None, "job": job.func_name if job else None, "tenant_schema": schema}
    started = time.perf_counter()
    log.info("job started", extra=fields)
    try:
        with get_app().app_context(), tenant_context(schema):
            yield get_app()
    except Exception:
        log.exception("job failed", extra={**fields, "ms": round((time.perf_counter() - started) * 1000, 1)})
        raise
    log.info("job finished", extra={**fields, "ms": round((time.perf_counter() - started) * 1000, 1)})
