"""The app a worker process built once at start; jobs run inside it, each logged with its id and company."""
import logging
import time
from contextlib import contextmanager

from rq import get_current_job
from sqlalchemy import select

from crm_saas.core.jobs import CompanyClosedError
from crm_saas.extensions import db
from crm_saas.tenants.binding import tenant_context
from crm_saas.tenants.models import Tenant

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


def _check_open(schema):
    """A company past its end date (or suspended, or waiting) runs no job: exports and reminders stop (A2)."""
    tenant = db.session.scalar(select(Tenant).where(Tenant.schema_name == schema))
    db.session.remove()
    if tenant is not None and not tenant.is_open:
        raise CompanyClosedError(f"{schema} is {tenant.effective_status()}")


@contextmanager
def job_tenant(schema, *, open_only=True):
    """Run a job's work in ``schema`` (with ``open_only``, refuse it for a company that cannot work)."""
    job = get_current_job()
    fields = {"job_id": job.id if job else None, "job": job.func_name if job else None, "tenant_schema": schema}
    started = time.perf_counter()
    log.info("job started", extra=fields)
    try:
        with get_app().app_context():
            if open_only:
                _check_open(schema)
            with tenant_context(schema):
                yield get_app()
    except Exception:
        log.exception("job failed", extra={**fields, "ms": round((time.perf_counter() - started) * 1000, 1)})
        raise
    log.info("job finished", extra={**fields, "ms": round((time.perf_counter() - started) * 1000, 1)})
