"""The app a worker process built once at start; jobs run inside it."""
from contextlib import contextmanager

from crm_saas.tenants.binding import tenant_context

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
    with get_app().app_context(), tenant_context(schema):
        yield get_app()
