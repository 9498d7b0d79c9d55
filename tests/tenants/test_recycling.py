"""Issue 12.7: pooled connections are replaced after a bounded number of tenants and a bounded age, and carry no
session state (no prepared statements), so the app runs behind pgbouncer in transaction mode."""
import time

import pytest
from sqlalchemy import event, text

from crm_saas import create_app
from crm_saas.extensions import db
from crm_saas.tenants.binding import tenant_context
from crm_saas.tenants.provisioning import provision_tenant, schema_for
from crm_saas.tenants.recycling import served_schemas
from tests.conftest import ADMIN_PASSWORD, HostClient, app_config, login, new_slug

BOUND = 3


class Pool:
    """An app of its own on the test database, and what its pool did: connections opened, tenants each served."""

    def __init__(self, servers, **settings):
        # Limits stay on: the process has one Flask-Limiter, and RATELIMIT_ENABLED=False here turned them off
        # for the session's app too (the API's limit test then passed six tokens). Each visit signs in once on a
        # host of its own, far below any limit.
        self.app = create_app(app_config(servers, **{"CRM_DB_POOL_SIZE": 1, "CRM_DB_MAX_OVERFLOW": 0, **settings}))
        self.app.instance_path = servers[2]
        with self.app.app_context():
            self.engine = db.engine
        self.opened = []  # the DBAPI connections, kept so their ids stay theirs
        self.pids = []  # their backends' (behind pgbouncer: pgbouncer's own numbers, which no backend has)
        self.served = {}  # id(DBAPI connection) -> the schemas it had served when last handed back
        event.listen(self.engine.pool, "connect", self._connect)
        event.listen(self.engine.pool, "checkin", self._checkin, insert=True)  # before the recycling decides

    def _connect(self, dbapi_connection, record):
        self.opened.append(dbapi_connection)
        self.pids.append(dbapi_connection.info.backend_pid)

    def _checkin(self, dbapi_connection, record):
        if dbapi_connection is not None:
            self.served[id(dbapi_connection)] = served_schemas(record.info)

    def visit(self, tenant):
        """Sign in to ``tenant`` and open its customer list, as a person would."""
        client = HostClient(self.app, self.app.response_class, use_cookies=True)
        client.host = tenant.host
        assert login(client, "admin", ADMIN_PASSWORD).status_code == 302
        assert client.get("/customers/").status_code == 200

    def schemas_by_connection(self):
        return [self.served.get(id(connection), frozenset()) for connection in self.opened]

    def close(self):
        with self.app.app_context():
            db.engine.dispose()


@pytest.fixture
def pool(servers, app):
    pools = []

    def make(**settings):
        pools.append(Pool(servers, **settings))
        return pools[-1]

    yield make
    for each in pools:
        each.close()


def backends_alive(app, pids):
    with app.app_context(), db.engine.connect() as conn:
        return conn.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:pids)"), {"pids": pids})


def test_a_connection_serves_at_most_the_bound_of_tenants_then_is_replaced(pool, make_tenant, app):
    tenants = [make_tenant() for _ in range(2 * BOUND + 1)]
    one = pool(CRM_DB_TENANTS_PER_CONNECTION=BOUND)
    for tenant in tenants:
        one.visit(tenant)

    served = one.schemas_by_connection()
    assert set().union(*served) == {t.schema_name for t in tenants}
    # Each connection is handed back for good once it has served the bound (the tenant it reached it with
    # carries on with the next connection), so none ever serves more.
    assert len(served) >= 3 and all(len(schemas) == BOUND for schemas in served[:-1]) and len(served[-1]) <= BOUND
    replaced = [(connection, pid) for connection, pid, schemas in zip(one.opened, one.pids, served, strict=True)
                if len(schemas) == BOUND]
    assert all(connection.closed for connection, _ in replaced)  # closed when handed back, not left idle
    pids = [pid for _, pid in replaced]
    deadline = time.monotonic() + 5
    while backends_alive(app, pids) and time.monotonic() < deadline:  # a backend exits just after its client left
        time.sleep(0.05)
    assert backends_alive(app, pids) == 0


def test_without_a_bound_one_connection_serves_every_tenant(pool, make_tenant):
    tenants = [make_tenant() for _ in range(BOUND + 1)]
    kept = pool(CRM_DB_TENANTS_PER_CONNECTION=0)
    for tenant in tenants:
        kept.visit(tenant)
    assert len(kept.opened) == 1


def test_provisioning_counts_the_schema_it_creates(pool):
    """Provisioning opens the new schema on a connection of its own, without a binding: it notes the schema."""
    from crm_saas.core.passwords import hash_password

    two = pool(CRM_DB_TENANTS_PER_CONNECTION=BOUND, CRM_DB_POOL_SIZE=2)  # the session's, and the provisioning's
    with two.app.app_context():
        admin = {"username": "admin", "password_hash": hash_password(ADMIN_PASSWORD), "name": "Admin"}
        slugs = [new_slug("rc") for _ in range(BOUND)]
        for slug in slugs:
            provision_tenant(slug, "Recycled", dict(admin))
        db.session.remove()
    served = two.schemas_by_connection()
    created = {schema_for(slug) for slug in slugs}
    assert created in served and two.opened[served.index(created)].closed


def test_a_connection_is_replaced_after_its_age(pool, tenant):
    aged = pool(CRM_DB_POOL_RECYCLE=1, CRM_DB_TENANTS_PER_CONNECTION=0)
    aged.visit(tenant)
    assert len(aged.opened) == 1
    time.sleep(1.1)
    aged.visit(tenant)
    assert len(aged.opened) == 2 and aged.opened[0].closed


def test_nothing_is_prepared_on_a_connection(app, tenant):
    """psycopg would prepare a statement after its fifth run: state pgbouncer's next server would not have."""
    with app.app_context(), tenant_context(tenant.schema_name), db.engine.connect() as conn:
        assert conn.connection.dbapi_connection.prepare_threshold is None
        for _ in range(10):
            conn.execute(text("SELECT count(*) FROM pg_class WHERE relnamespace = to_regnamespace(:s)"),
                         {"s": tenant.schema_name})
            conn.commit()
        assert conn.scalar(text("SELECT count(*) FROM pg_prepared_statements")) == 0


def test_the_pool_settings_come_from_the_environment(monkeypatch, servers):
    for key, value in (("CRM_DB_POOL_SIZE", "3"), ("CRM_DB_MAX_OVERFLOW", "4"), ("CRM_DB_POOL_RECYCLE", "0"),
                       ("CRM_DB_TENANTS_PER_CONNECTION", "7")):
        monkeypatch.setenv(key, value)
    config = app_config(servers)
    app = create_app(config)
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert (options["pool_size"], options["max_overflow"], options["pool_recycle"]) == (3, 4, -1)
    assert options["connect_args"] == {"prepare_threshold": None}
    with app.app_context():
        assert db.engine.pool.size() == 3
        db.engine.dispose()
