"""Bounded backend memory: a pooled connection serves so many tenant schemas, then makes way for a new one.

Why: a PostgreSQL backend caches what it learns of every relation it opens
(relcache, catcache, their indexes and types) in its ``CacheMemoryContext``
and never gives that memory back while it lives. A tenant is a schema of some
20 tables and their indexes, so each tenant a connection has served adds
0.12 MiB (issue 12) to 0.3 MiB (sign-in, board and customer list: ``bench/run.py
--only memory``): 340 MiB on one backend after 1,000 tenants, and a pool of 30
per process and two gunicorn workers ends up with that on each of 60 backends.
A backend that served one tenant holds 2 MiB, so the bound is kept by letting
a backend go after a bounded number of tenants (``CRM_DB_TENANTS_PER_CONNECTION``,
here; 20 by default: 11 MiB a backend, measured) and after a bounded age
(``CRM_DB_POOL_RECYCLE``, SQLAlchemy's ``pool_recycle``, which also catches what
grows with time rather than with tenants). A new connection costs a few
milliseconds once per 20 tenants served; the bench's load took as long either way.

How: the pool's ``checkout`` event records, in the DBAPI connection's ``info``,
the schema the current binding (``binding.current_schema()``) is about to use
it for. That dict lives exactly as long as the DBAPI connection: SQLAlchemy
clears it whenever it opens a new one. The ``checkin`` event closes a connection
that has served the bound, after the pool's rollback, so its backend exits and
its memory goes back to the system at once, not when the pool next hands it
out; the pool opens a fresh connection at the next checkout. A connection
checked out under a tenant binding serves only that tenant until it is
returned (a session refuses a second tenant), so it never serves more than
the bound. Work that opens a schema without binding it (provisioning,
migrations) says so with ``note_schema``.

Behind pgbouncer the app's connections are pgbouncer's clients, not
backends: this still bounds what the app asks of each, but the backends live
as long as pgbouncer's ``server_lifetime`` says (README "Behind pgbouncer").
"""
from sqlalchemy import event

from crm_saas.tenants.binding import current_schema

INFO_KEY = "crm_tenant_schemas"


def init_engine(engine, tenants_per_connection):
    """Replace each of ``engine``'s pooled connections once it has served ``tenants_per_connection`` schemas.

    0 (or less) leaves connections alone. Listens on the pool, so every engine
    view sharing it (``binding.tenant_engine``) is covered, and the listeners
    survive ``engine.dispose()``, which keeps the pool's events.
    """
    bound = int(tenants_per_connection or 0)
    if bound <= 0:
        return

    def checkout(dbapi_connection, connection_record, connection_proxy):
        schema = current_schema()
        if schema is not None:
            connection_record.info.setdefault(INFO_KEY, set()).add(schema)

    def checkin(dbapi_connection, connection_record):
        if dbapi_connection is not None and len(connection_record.info.get(INFO_KEY, ())) >= bound:
            connection_record.invalidate()  # closes it now; SQLAlchemy clears ``info`` with the next connect

    event.listen(engine.pool, "checkout", checkout)
    event.listen(engine.pool, "checkin", checkin)


def note_schema(connection, schema):
    """Count ``schema`` against ``connection`` (a SQLAlchemy Connection) though no binding names it."""
    connection.info.setdefault(INFO_KEY, set()).add(schema)


def served_schemas(info):
    """The schemas a pooled connection has served, from its ``info`` (a Connection's or a pool record's)."""
    return frozenset(info.get(INFO_KEY, ()))
