"""Layered fixtures: real servers -> app -> tenants -> clients -> factories.

The database is real PostgreSQL and the queue real Redis: embedded servers
started from the pip wheels by default, or the servers named by
``DATABASE_URL``/``REDIS_URL`` (CI runs the suite both ways). Each test
session gets its own database and its own RQ queue name, so a shared server
is never clobbered.

Isolation between tests comes from tenants, not rollbacks: provisioning a
schema costs tens of milliseconds, so a test that writes gets a fresh company
of its own. That keeps tests honest for what rollbacks cannot cover: several
connections, threads, a worker process and a browser.
"""
import os
import re
import secrets
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
import pytest
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.engine import make_url

from crm_saas import create_app, embedded
from crm_saas.config import sqlalchemy_url
from crm_saas.core.passwords import hash_password
from crm_saas.extensions import db
from crm_saas.tenants.binding import tenant_context
from crm_saas.tenants.provisioning import provision_tenant
from tests.api_client import ApiClient, get_token

ADMIN_PASSWORD = "Admin#2026"
RUN = secrets.token_hex(4)
STAFF_PASSWORD = "Staff#2026"


TEST_INSTANCE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".test-instance")


@pytest.fixture(scope="session")
def servers():
    """``(database_url, redis_url, instance_path)``: a fresh database on a real server, and Redis.

    The embedded servers live in ``.test-instance/`` and are reused by later
    runs (and by runs going on at the same time): each run makes its own
    database and queue name, so they never see each other's data.
    """
    instance = TEST_INSTANCE
    base_url = os.environ.get("DATABASE_URL") or embedded.ensure_postgres(instance, database="postgres")
    redis_url = os.environ.get("REDIS_URL") or embedded.ensure_redis(instance)
    name = f"crm_test_{secrets.token_hex(4)}"
    admin_url = make_url(sqlalchemy_url(base_url)).set(drivername="postgresql")
    admin_dsn = admin_url.render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    test_url = admin_url.set(database=name).render_as_string(hide_password=False)
    run_dir = os.path.join(instance, "runs", name)
    os.makedirs(run_dir, exist_ok=True)
    yield test_url, redis_url, run_dir
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shutil.rmtree(run_dir, ignore_errors=True)


def app_config(servers, **extra):
    database_url, redis_url, instance = servers
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "test-secret",
        "CRM_EXPORT_QUEUE": f"crm-test-{os.getpid()}",
        "RATELIMIT_KEY_PREFIX": f"crm-test-limits-{RUN}",  # the limits' counters of this run only
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # speed; the policy and flow are the same
        "WTF_CSRF_ENABLED": False,
        "CRM_EXPORT_DIR": os.path.join(instance, "exports"),
        "CRM_LOG_LEVEL": "WARNING",  # a line per request is for operators; tests that read it raise the level
        **extra,
    }


@pytest.fixture(scope="session")
def app(servers):
    from crm_saas.tenants.migrate import upgrade_all

    app = create_app(app_config(servers))
    app.instance_path = servers[2]
    with app.app_context():
        upgrade_all()
    return app


@pytest.fixture
def count_queries(app):
    """``with count_queries() as statements: client.get(...)``: the SQL statements that page sent.

    Counted where every tenant's engine view sends its SQL (the app's engine),
    in this thread only, so a page that queries once per row shows as a count
    that grows with its rows: assert it does not, and that it stays in budget.
    """
    @contextmanager
    def counting():
        statements = []
        thread = threading.get_ident()

        def count(conn, cursor, statement, parameters, context, executemany):
            if threading.get_ident() == thread:
                statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", count)

    return counting


@dataclass
class TenantInfo:
    id: int
    slug: str
    schema_name: str
    host: str
    admin_username: str = "admin"
    admin_password: str = ADMIN_PASSWORD


_slug_lock = threading.Lock()
_slug_counter = [0]


def new_slug(prefix="co"):
    with _slug_lock:
        _slug_counter[0] += 1
        return f"{prefix}{_slug_counter[0]}-{secrets.token_hex(3)}"


@pytest.fixture
def make_tenant(app):
    def make(prefix="co", name=None):
        slug = new_slug(prefix)
        with app.app_context():
            tenant_id = provision_tenant(slug, name or f"Company {slug}", {
                "username": "admin", "password_hash": hash_password(ADMIN_PASSWORD), "name": "Admin",
            })
        return TenantInfo(tenant_id, slug, "t_" + slug.replace("-", "_"), f"{slug}.localhost")

    return make


@pytest.fixture
def tenant(make_tenant):
    return make_tenant()


class HostClient(FlaskClient):
    """A test client whose requests go to one host (a tenant's, or the platform's)."""

    host = "localhost"

    def open(self, *args, **kwargs):
        """Requests read English unless a test asks for another language."""
        kwargs.setdefault("base_url", f"http://{self.host}")
        headers = dict(kwargs.pop("headers", None) or {})
        headers.setdefault("Accept-Language", "en")
        return super().open(*args, headers=headers, **kwargs)


@pytest.fixture
def client_for(app):
    def make(tenant_or_host):
        client = HostClient(app, app.response_class, use_cookies=True)
        client.host = getattr(tenant_or_host, "host", tenant_or_host)
        if client.host.split(":")[0] == "localhost":
            # The platform host is one host for every test: an address of its own per client keeps the per-address
            # limits (sign-in, sign-up) from counting one test's tries against the next (a company host is unique).
            client.environ_base["REMOTE_ADDR"] = "10.{}.{}.{}".format(*secrets.token_bytes(3))
        return client

    return make


def login(client, username, password, **kwargs):
    """Sign in through the page, typing the image code when the last answer asked for one, as a person would
    (tests of the code itself post it by hand)."""
    data = {"username": username, "password": password}
    challenge = getattr(client, "captcha_id", None)
    if challenge:
        data.update(captcha_id=challenge, captcha=captcha_answer(client.application, challenge))
    response = client.post("/login", data=data, **kwargs)
    found = re.search(r'name="captcha_id" value="([^"]+)"', response.get_data(as_text=True))
    client.captcha_id = found.group(1) if found else None
    return response


def captcha_answer(app, challenge):
    """The code of an image challenge, read where the server keeps it (Redis), without spending it."""
    from crm_saas.core.queue import redis_connection

    with app.app_context():
        answer = redis_connection().get(f"crm:captcha:{challenge}")
    return answer.decode() if answer else ""


@pytest.fixture
def admin_client(client_for, tenant):
    client = client_for(tenant)
    assert login(client, "admin", ADMIN_PASSWORD).status_code == 302
    return client


@pytest.fixture
def factory(app):
    """Create records straight through the services, inside the tenant's schema."""
    return Factory(app)


class Factory:
    def __init__(self, app):
        self.app = app

    def _in(self, tenant):
        ctx = self.app.app_context()
        ctx.push()
        binding = tenant_context(tenant.schema_name)
        binding.__enter__()
        return ctx, binding

    def _run(self, tenant, fn):
        ctx, binding = self._in(tenant)
        try:
            return fn()
        finally:
            binding.__exit__(None, None, None)
            ctx.pop()

    def user(self, tenant, username, role="rep", superior_id=None, must_change=False, password=STAFF_PASSWORD,
             name=None, active=True):
        from crm_saas.core.users import User
        from crm_saas.extensions import db

        def make():
            user = User(username=username, name=name or username.title(), role=role, superior_id=superior_id,
                        password_hash=hash_password(password), must_change_password=must_change, active=active)
            db.session.add(user)
            db.session.commit()
            return user.id

        return self._run(tenant, make)

    def admin_id(self, tenant):
        from sqlalchemy import select

        from crm_saas.core.users import User
        from crm_saas.extensions import db

        return self._run(tenant, lambda: db.session.scalar(select(User.id).where(User.username == "admin")))

    def customer(self, tenant, owner_id, name="客户", phone="13800138000", custom=None):
        from crm_saas.blueprints.customers.services import create_customer
        from crm_saas.core.users import User
        from crm_saas.extensions import db

        def make():
            owner = db.session.get(User, owner_id)
            data = {"name": name, "industry": "it", "source": "referral", "type": "potential",
                    "contacts": [{"name": "联系人", "phone": phone, "is_primary": True}], "custom": custom}
            return create_customer(data, actor=owner).id

        return self._run(tenant, make)

    def deal(self, tenant, customer_id, owner_id, name="Deal", amount="1000", stage_index=0):
        from crm_saas.blueprints.customers.models import Customer
        from crm_saas.blueprints.pipeline.services import default_pipeline
        from crm_saas.blueprints.pipeline.services.deals import create_deal
        from crm_saas.core.users import User
        from crm_saas.extensions import db

        def make():
            stage = default_pipeline().stages[stage_index]
            deal = create_deal({"name": name, "amount": amount, "stage_id": stage.id},
                               actor=db.session.get(User, owner_id), customer=db.session.get(Customer, customer_id))
            return deal.id

        return self._run(tenant, make)

    def set_deal(self, tenant, deal_id, **values):
        """Set stored fields of a deal directly (a past date, an old follow-up) to set a scene."""
        from crm_saas.blueprints.pipeline.models import Deal
        from crm_saas.extensions import db

        def update():
            deal = db.session.get(Deal, deal_id)
            for key, value in values.items():
                setattr(deal, key, value)
            db.session.commit()

        self._run(tenant, update)

    def stages(self, tenant):
        from crm_saas.blueprints.pipeline.services import default_pipeline

        return self._run(tenant, lambda: [(s.id, s.kind) for s in default_pipeline().stages])


def customer_form(contacts=None, primary=0, **fields):
    """What the add-customer form posts: customer fields, then ``contacts-<i>-<field>`` rows."""
    data = {"name": "北京远航贸易有限公司", "industry": "retail", "type": "potential", "source": "exhibition",
            "primary": str(primary), **fields}
    for index, contact in enumerate(contacts if contacts is not None else [{"name": "王芳", "phone": "010-88886666"}]):
        for key, value in contact.items():
            data[f"contacts-{index}-{key}"] = value
    return data


@pytest.fixture
def api_for(client_for):
    """``api_for(tenant, username=..., password=...)``: an ApiClient holding that user's token."""

    def make(tenant, username="admin", password=None):
        client = client_for(tenant)
        password = password or (ADMIN_PASSWORD if username == "admin" else STAFF_PASSWORD)
        return ApiClient(client, get_token(client, username, password))

    return make


@pytest.fixture
def admin_api(api_for, tenant):
    return api_for(tenant)


@pytest.fixture
def platform(app):
    """Agencies, agency staff and operators, made straight through the models (tests/platform_factory.py)."""
    from tests.platform_factory import PlatformFactory

    return PlatformFactory(app)


@contextmanager
def platform_settings_set(app, **values):
    """The platform's settings changed for a block, then put back (tests of one worker share them)."""
    from crm_saas.tenants.platform_settings import platform_settings, set_platform_settings

    with app.app_context():
        before = platform_settings()
        set_platform_settings(values)
        db.session.commit()
    try:
        yield
    finally:
        with app.app_context():
            set_platform_settings({key: before[key] for key in values})
            db.session.commit()


@pytest.fixture
def instant_trial(app):
    """Sign-ups start their trial at once, as the platform setting allows (the default waits for approval)."""
    with platform_settings_set(app, approval_required=False):
        yield


@pytest.fixture
def platform_client(client_for):
    """A client on the platform host (the bare base domain)."""
    return client_for("localhost")


@pytest.fixture
def mail_sink(app, monkeypatch):
    """The platform's mail server (CRM_MAIL_URL) as a real SMTP server on 127.0.0.1 that keeps what it gets."""
    from tests.mail_sink import start_sink

    sink, stop = start_sink()
    monkeypatch.setitem(app.config, "CRM_MAIL_URL", f"smtp://127.0.0.1:{sink.port}")
    monkeypatch.setitem(app.config, "CRM_MAIL_SENDER", "crm@example.com")
    yield sink
    stop()
