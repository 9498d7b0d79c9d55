"""Many threads, two companies, one connection pool: every answer shows only its own company."""
import threading
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import ADMIN_PASSWORD, HostClient, login

THREADS = 8
REQUESTS_PER_THREAD = 30


def test_alternating_requests_never_mix_tenants(app, make_tenant, factory):
    companies = []
    for prefix in ("conc-a", "conc-b"):
        tenant = make_tenant(prefix)
        marker = f"Marker-{tenant.slug}"
        admin = factory.admin_id(tenant)
        for i in range(3):
            factory.customer(tenant, admin, name=f"{marker}-{i}", phone=f"1380000{i:04d}")
        companies.append((tenant, marker))
    markers = [m for _, m in companies]
    errors = []
    start = threading.Barrier(THREADS)

    def worker(n):
        clients = []
        for tenant, _ in companies:
            client = HostClient(app, app.response_class, use_cookies=True)
            client.host = tenant.host
            assert login(client, "admin", ADMIN_PASSWORD).status_code == 302
            clients.append(client)
        start.wait()
        for i in range(REQUESTS_PER_THREAD):
            which = (n + i) % 2
            page = clients[which].get("/customers/", headers={"HX-Request": "true"})
            own, other = markers[which], markers[1 - which]
            if page.status_code != 200 or page.text.count(f">{own}-") != 3 or other in page.text:
                errors.append((n, i, page.status_code, own))

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(worker, range(THREADS)))
    assert errors == []


def test_a_session_refuses_to_serve_two_tenants(app, make_tenant):
    """The guard behind the rule: one session, one tenant, or an error rather than mixed rows."""
    import pytest
    from sqlalchemy import select

    from crm_saas.core.users import User
    from crm_saas.extensions import db
    from crm_saas.tenants.binding import CrossTenantSession, bind_schema, unbind

    a, b = make_tenant("guard-a"), make_tenant("guard-b")
    with app.app_context():
        token = bind_schema(a.schema_name)
        try:
            db.session.scalars(select(User)).all()
            unbind(token)
            token = bind_schema(b.schema_name)
            with pytest.raises(CrossTenantSession):
                db.session.scalars(select(User)).all()
        finally:
            unbind(token)
            db.session.remove()
