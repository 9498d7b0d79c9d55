"""Which tenant schema the current code runs against, and how sessions honour it.

The binding is a context variable: a request sets it in ``before_request`` and
resets it on teardown; jobs and commands enter ``tenant_context``. Sessions
ask it for every bind, and get an engine that carries ``schema_translate_map``
for that schema. The map lives on the Connection object, never on the pooled
DBAPI connection, so nothing of one tenant survives into the next checkout
(unlike ``SET search_path``).
"""
import contextvars
import re
from contextlib import contextmanager
from functools import lru_cache

from flask import current_app
from flask_sqlalchemy.session import Session

from crm_saas.core.base import TENANT_SCHEMA

_current_schema = contextvars.ContextVar("crm_tenant_schema", default=None)

SCHEMA_RE = re.compile(r"^t_[a-z0-9_]{1,60}$")


class CrossTenantSession(RuntimeError):
    """A session was used under two tenants: its identity map could mix their rows."""


def check_schema_name(schema):
    """Schema names reach SQL as identifiers: only ``t_`` + lowercase, digits, underscore."""
    if not SCHEMA_RE.match(schema or ""):
        raise ValueError(f"invalid tenant schema name: {schema!r}")
    return schema


def current_schema():
    return _current_schema.get()


def bind_schema(schema):
    """Bind a schema for the current context; returns the token for ``unbind``."""
    return _current_schema.set(check_schema_name(schema) if schema else None)


def unbind(token):
    _current_schema.reset(token)


@lru_cache(maxsize=8192)
def tenant_engine(engine, schema):
    """An engine view sharing ``engine``'s pool whose connections translate the schema."""
    return engine.execution_options(schema_translate_map={TENANT_SCHEMA: schema})


class TenantSession(Session):
    """A Flask-SQLAlchemy session that binds every statement to the current tenant.

    A session remembers the tenant it first served; using it under another
    raises instead of silently mixing two tenants' rows in one identity map.
    """

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        engine = super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
        schema = current_schema()
        if bind is not None or schema is None:
            return engine
        first = self.info.setdefault("tenant_schema", schema)
        if first != schema:
            raise CrossTenantSession(f"session bound to {first} used for {schema}")
        return tenant_engine(engine, schema)

    def close(self):
        super().close()
        self.info.pop("tenant_schema", None)


@contextmanager
def tenant_context(tenant_or_schema):
    """Run code outside a request (jobs, CLI, tests) against one tenant.

    Starts and ends with a fresh session so no object crosses the boundary,
    and restores whatever binding was there before. The session is the
    app's (``app.extensions["sqlalchemy"]``): the extensions module builds
    its ``db`` on ``TenantSession`` from here, so this module cannot import it.
    """
    session = current_app.extensions["sqlalchemy"].session
    schema = getattr(tenant_or_schema, "schema_name", tenant_or_schema)
    session.remove()
    token = bind_schema(schema)
    try:
        yield
    finally:
        session.remove()
        unbind(token)
